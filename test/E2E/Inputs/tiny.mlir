// A tiny MLP autoencoder written by hand in linalg on tensors (no frontend):
// input [1, 5, 6] (30 floats) -> dense(20) relu -> head dense(4) -> dense(30),
// mse loss, its gradient written by hand, and SGD with momentum 0.9 as the
// optimizer (one velocity per parameter in `ae.state` arguments).
// Generated once by a script; the C reference is test/E2E/Inputs/tiny_ref.h.
#id = affine_map<(i, j) -> (i, j)>
#id1 = affine_map<(i) -> (i)>
#row = affine_map<(i, j) -> (j)>
#red = affine_map<(i, j) -> ()>
#ta_a = affine_map<(m, n, k) -> (k, m)>
#ta_b = affine_map<(m, n, k) -> (k, n)>
#ta_c = affine_map<(m, n, k) -> (m, n)>
#tb_a = affine_map<(m, n, k) -> (m, k)>
#tb_b = affine_map<(m, n, k) -> (n, k)>
#tb_c = affine_map<(m, n, k) -> (m, n)>
module attributes {ae.model = "tiny", ae.input_shape = array<i64: 1, 5, 6>,
                   ae.latent_size = 4 : i64, ae.latent_kind = "deterministic",
                   ae.optimizer = {kind = "sgd", lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64},
                   ae.summary = "model tiny: input [1, 5, 6] -> dense(20) relu -> dense(4) -> dense(30)\nloss mse; optimizer sgd(lr=0.1, momentum=0.9)"} {
  func.func @encode(%x: tensor<?x1x5x6xf32>, %p0: tensor<30x20xf32> {ae.param = "enc0.weight", ae.fan_in = 30 : i64}, %p1: tensor<20xf32> {ae.param = "enc0.bias", ae.fan_in = 30 : i64}, %p2: tensor<20x4xf32> {ae.param = "head.weight", ae.fan_in = 20 : i64}, %p3: tensor<4xf32> {ae.param = "head.bias", ae.fan_in = 20 : i64}, %p4: tensor<4x30xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64}, %p5: tensor<30xf32> {ae.param = "dec0.bias", ae.fan_in = 4 : i64}) -> tensor<?x4xf32> {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %xf = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<?x1x5x6xf32> into tensor<?x30xf32>
    %n = tensor.dim %xf, %c0 : tensor<?x30xf32>
    %h_e = tensor.empty(%n) : tensor<?x20xf32>
    %h_f = linalg.fill ins(%zero : f32) outs(%h_e : tensor<?x20xf32>) -> tensor<?x20xf32>
    %h_m = linalg.matmul ins(%xf, %p0 : tensor<?x30xf32>, tensor<30x20xf32>) outs(%h_f : tensor<?x20xf32>) -> tensor<?x20xf32>
    %h = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%h_m, %p1 : tensor<?x20xf32>, tensor<20xf32>) outs(%h_e : tensor<?x20xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
    } -> tensor<?x20xf32>
    %z_e = tensor.empty(%n) : tensor<?x4xf32>
    %z_f = linalg.fill ins(%zero : f32) outs(%z_e : tensor<?x4xf32>) -> tensor<?x4xf32>
    %z_m = linalg.matmul ins(%h, %p2 : tensor<?x20xf32>, tensor<20x4xf32>) outs(%z_f : tensor<?x4xf32>) -> tensor<?x4xf32>
    %z = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%z_m, %p3 : tensor<?x4xf32>, tensor<4xf32>) outs(%z_e : tensor<?x4xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      linalg.yield %s : f32
    } -> tensor<?x4xf32>
    return %z : tensor<?x4xf32>
  }

  func.func @decode(%zin: tensor<?x4xf32>, %p0: tensor<30x20xf32> {ae.param = "enc0.weight", ae.fan_in = 30 : i64}, %p1: tensor<20xf32> {ae.param = "enc0.bias", ae.fan_in = 30 : i64}, %p2: tensor<20x4xf32> {ae.param = "head.weight", ae.fan_in = 20 : i64}, %p3: tensor<4xf32> {ae.param = "head.bias", ae.fan_in = 20 : i64}, %p4: tensor<4x30xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64}, %p5: tensor<30xf32> {ae.param = "dec0.bias", ae.fan_in = 4 : i64}) -> tensor<?x1x5x6xf32> {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %n = tensor.dim %zin, %c0 : tensor<?x4xf32>
    %y_e = tensor.empty(%n) : tensor<?x30xf32>
    %y_f = linalg.fill ins(%zero : f32) outs(%y_e : tensor<?x30xf32>) -> tensor<?x30xf32>
    %y_m = linalg.matmul ins(%zin, %p4 : tensor<?x4xf32>, tensor<4x30xf32>) outs(%y_f : tensor<?x30xf32>) -> tensor<?x30xf32>
    %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%y_m, %p5 : tensor<?x30xf32>, tensor<30xf32>) outs(%y_e : tensor<?x30xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      linalg.yield %s : f32
    } -> tensor<?x30xf32>
    %y4 = tensor.expand_shape %y [[0], [1, 2, 3]] output_shape [%n, 1, 5, 6] : tensor<?x30xf32> into tensor<?x1x5x6xf32>
    return %y4 : tensor<?x1x5x6xf32>
  }

  func.func @loss(%x: tensor<?x1x5x6xf32>, %seed: i64, %call: i64, %p0: tensor<30x20xf32> {ae.param = "enc0.weight", ae.fan_in = 30 : i64}, %p1: tensor<20xf32> {ae.param = "enc0.bias", ae.fan_in = 30 : i64}, %p2: tensor<20x4xf32> {ae.param = "head.weight", ae.fan_in = 20 : i64}, %p3: tensor<4xf32> {ae.param = "head.bias", ae.fan_in = 20 : i64}, %p4: tensor<4x30xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64}, %p5: tensor<30xf32> {ae.param = "dec0.bias", ae.fan_in = 4 : i64}) -> f32 {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %cD = arith.constant 30.0 : f32
    %xf = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<?x1x5x6xf32> into tensor<?x30xf32>
    %n = tensor.dim %xf, %c0 : tensor<?x30xf32>
    %h_e = tensor.empty(%n) : tensor<?x20xf32>
    %h_f = linalg.fill ins(%zero : f32) outs(%h_e : tensor<?x20xf32>) -> tensor<?x20xf32>
    %h_m = linalg.matmul ins(%xf, %p0 : tensor<?x30xf32>, tensor<30x20xf32>) outs(%h_f : tensor<?x20xf32>) -> tensor<?x20xf32>
    %h = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%h_m, %p1 : tensor<?x20xf32>, tensor<20xf32>) outs(%h_e : tensor<?x20xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
    } -> tensor<?x20xf32>
    %z_e = tensor.empty(%n) : tensor<?x4xf32>
    %z_f = linalg.fill ins(%zero : f32) outs(%z_e : tensor<?x4xf32>) -> tensor<?x4xf32>
    %z_m = linalg.matmul ins(%h, %p2 : tensor<?x20xf32>, tensor<20x4xf32>) outs(%z_f : tensor<?x4xf32>) -> tensor<?x4xf32>
    %z = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%z_m, %p3 : tensor<?x4xf32>, tensor<4xf32>) outs(%z_e : tensor<?x4xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      linalg.yield %s : f32
    } -> tensor<?x4xf32>
    %y_e = tensor.empty(%n) : tensor<?x30xf32>
    %y_f = linalg.fill ins(%zero : f32) outs(%y_e : tensor<?x30xf32>) -> tensor<?x30xf32>
    %y_m = linalg.matmul ins(%z, %p4 : tensor<?x4xf32>, tensor<4x30xf32>) outs(%y_f : tensor<?x30xf32>) -> tensor<?x30xf32>
    %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%y_m, %p5 : tensor<?x30xf32>, tensor<30xf32>) outs(%y_e : tensor<?x30xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      linalg.yield %s : f32
    } -> tensor<?x30xf32>
    %acc_e = tensor.empty() : tensor<f32>
    %acc_f = linalg.fill ins(%zero : f32) outs(%acc_e : tensor<f32>) -> tensor<f32>
    %sq = linalg.generic {indexing_maps = [#id, #id, #red], iterator_types = ["reduction", "reduction"]} ins(%y, %xf : tensor<?x30xf32>, tensor<?x30xf32>) outs(%acc_f : tensor<f32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %d = arith.subf %a, %b : f32
      %d2 = arith.mulf %d, %d : f32
      %s = arith.addf %acc, %d2 : f32
      linalg.yield %s : f32
    } -> tensor<f32>
    %sum = tensor.extract %sq[] : tensor<f32>
    %ni = arith.index_cast %n : index to i64
    %nf = arith.sitofp %ni : i64 to f32
    %count = arith.mulf %nf, %cD : f32
    %loss = arith.divf %sum, %count : f32
    return %loss : f32
  }

  func.func @loss_grad(%x: tensor<?x1x5x6xf32>, %seed: i64, %call: i64, %p0: tensor<30x20xf32> {ae.param = "enc0.weight", ae.fan_in = 30 : i64}, %p1: tensor<20xf32> {ae.param = "enc0.bias", ae.fan_in = 30 : i64}, %p2: tensor<20x4xf32> {ae.param = "head.weight", ae.fan_in = 20 : i64}, %p3: tensor<4xf32> {ae.param = "head.bias", ae.fan_in = 20 : i64}, %p4: tensor<4x30xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64}, %p5: tensor<30xf32> {ae.param = "dec0.bias", ae.fan_in = 4 : i64}) -> (f32, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>) {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %cD = arith.constant 30.0 : f32
    %two = arith.constant 2.0 : f32
    %xf = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<?x1x5x6xf32> into tensor<?x30xf32>
    %n = tensor.dim %xf, %c0 : tensor<?x30xf32>
    %h_e = tensor.empty(%n) : tensor<?x20xf32>
    %h_f = linalg.fill ins(%zero : f32) outs(%h_e : tensor<?x20xf32>) -> tensor<?x20xf32>
    %h_m = linalg.matmul ins(%xf, %p0 : tensor<?x30xf32>, tensor<30x20xf32>) outs(%h_f : tensor<?x20xf32>) -> tensor<?x20xf32>
    %h = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%h_m, %p1 : tensor<?x20xf32>, tensor<20xf32>) outs(%h_e : tensor<?x20xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
    } -> tensor<?x20xf32>
    %z_e = tensor.empty(%n) : tensor<?x4xf32>
    %z_f = linalg.fill ins(%zero : f32) outs(%z_e : tensor<?x4xf32>) -> tensor<?x4xf32>
    %z_m = linalg.matmul ins(%h, %p2 : tensor<?x20xf32>, tensor<20x4xf32>) outs(%z_f : tensor<?x4xf32>) -> tensor<?x4xf32>
    %z = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%z_m, %p3 : tensor<?x4xf32>, tensor<4xf32>) outs(%z_e : tensor<?x4xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      linalg.yield %s : f32
    } -> tensor<?x4xf32>
    %y_e = tensor.empty(%n) : tensor<?x30xf32>
    %y_f = linalg.fill ins(%zero : f32) outs(%y_e : tensor<?x30xf32>) -> tensor<?x30xf32>
    %y_m = linalg.matmul ins(%z, %p4 : tensor<?x4xf32>, tensor<4x30xf32>) outs(%y_f : tensor<?x30xf32>) -> tensor<?x30xf32>
    %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%y_m, %p5 : tensor<?x30xf32>, tensor<30xf32>) outs(%y_e : tensor<?x30xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      linalg.yield %s : f32
    } -> tensor<?x30xf32>
    %acc_e = tensor.empty() : tensor<f32>
    %acc_f = linalg.fill ins(%zero : f32) outs(%acc_e : tensor<f32>) -> tensor<f32>
    %sq = linalg.generic {indexing_maps = [#id, #id, #red], iterator_types = ["reduction", "reduction"]} ins(%y, %xf : tensor<?x30xf32>, tensor<?x30xf32>) outs(%acc_f : tensor<f32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %d = arith.subf %a, %b : f32
      %d2 = arith.mulf %d, %d : f32
      %s = arith.addf %acc, %d2 : f32
      linalg.yield %s : f32
    } -> tensor<f32>
    %sum = tensor.extract %sq[] : tensor<f32>
    %ni = arith.index_cast %n : index to i64
    %nf = arith.sitofp %ni : i64 to f32
    %count = arith.mulf %nf, %cD : f32
    %loss = arith.divf %sum, %count : f32
    %scale = arith.divf %two, %count : f32
    %dy_e = tensor.empty(%n) : tensor<?x30xf32>
    %dy = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%y, %xf : tensor<?x30xf32>, tensor<?x30xf32>) outs(%dy_e : tensor<?x30xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %d = arith.subf %a, %b : f32
      %r = arith.mulf %d, %scale : f32
      linalg.yield %r : f32
    } -> tensor<?x30xf32>
    %g4_e = tensor.empty() : tensor<4x30xf32>
    %g4_f = linalg.fill ins(%zero : f32) outs(%g4_e : tensor<4x30xf32>) -> tensor<4x30xf32>
    %g4 = linalg.matmul indexing_maps = [#ta_a, #ta_b, #ta_c] ins(%z, %dy : tensor<?x4xf32>, tensor<?x30xf32>) outs(%g4_f : tensor<4x30xf32>) -> tensor<4x30xf32>
    %g5_e = tensor.empty() : tensor<30xf32>
    %g5_f = linalg.fill ins(%zero : f32) outs(%g5_e : tensor<30xf32>) -> tensor<30xf32>
    %g5 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["reduction", "parallel"]} ins(%dy : tensor<?x30xf32>) outs(%g5_f : tensor<30xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    } -> tensor<30xf32>
    %dz_e = tensor.empty(%n) : tensor<?x4xf32>
    %dz_f = linalg.fill ins(%zero : f32) outs(%dz_e : tensor<?x4xf32>) -> tensor<?x4xf32>
    %dz = linalg.matmul indexing_maps = [#tb_a, #tb_b, #tb_c] ins(%dy, %p4 : tensor<?x30xf32>, tensor<4x30xf32>) outs(%dz_f : tensor<?x4xf32>) -> tensor<?x4xf32>
    %g2_e = tensor.empty() : tensor<20x4xf32>
    %g2_f = linalg.fill ins(%zero : f32) outs(%g2_e : tensor<20x4xf32>) -> tensor<20x4xf32>
    %g2 = linalg.matmul indexing_maps = [#ta_a, #ta_b, #ta_c] ins(%h, %dz : tensor<?x20xf32>, tensor<?x4xf32>) outs(%g2_f : tensor<20x4xf32>) -> tensor<20x4xf32>
    %g3_e = tensor.empty() : tensor<4xf32>
    %g3_f = linalg.fill ins(%zero : f32) outs(%g3_e : tensor<4xf32>) -> tensor<4xf32>
    %g3 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["reduction", "parallel"]} ins(%dz : tensor<?x4xf32>) outs(%g3_f : tensor<4xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    } -> tensor<4xf32>
    %dh_e = tensor.empty(%n) : tensor<?x20xf32>
    %dh_f = linalg.fill ins(%zero : f32) outs(%dh_e : tensor<?x20xf32>) -> tensor<?x20xf32>
    %dh = linalg.matmul indexing_maps = [#tb_a, #tb_b, #tb_c] ins(%dz, %p2 : tensor<?x4xf32>, tensor<20x4xf32>) outs(%dh_f : tensor<?x20xf32>) -> tensor<?x20xf32>
    %dpre_e = tensor.empty(%n) : tensor<?x20xf32>
    %dpre = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%dh, %h : tensor<?x20xf32>, tensor<?x20xf32>) outs(%dpre_e : tensor<?x20xf32>) {
    ^bb0(%g: f32, %a: f32, %o: f32):
      %pos = arith.cmpf ogt, %a, %zero : f32
      %r = arith.select %pos, %g, %zero : f32
      linalg.yield %r : f32
    } -> tensor<?x20xf32>
    %g0_e = tensor.empty() : tensor<30x20xf32>
    %g0_f = linalg.fill ins(%zero : f32) outs(%g0_e : tensor<30x20xf32>) -> tensor<30x20xf32>
    %g0 = linalg.matmul indexing_maps = [#ta_a, #ta_b, #ta_c] ins(%xf, %dpre : tensor<?x30xf32>, tensor<?x20xf32>) outs(%g0_f : tensor<30x20xf32>) -> tensor<30x20xf32>
    %g1_e = tensor.empty() : tensor<20xf32>
    %g1_f = linalg.fill ins(%zero : f32) outs(%g1_e : tensor<20xf32>) -> tensor<20xf32>
    %g1 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["reduction", "parallel"]} ins(%dpre : tensor<?x20xf32>) outs(%g1_f : tensor<20xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    } -> tensor<20xf32>
    return %loss, %g0, %g1, %g2, %g3, %g4, %g5 : f32, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>
  }

  func.func @apply_grad(%stepno: i64, %g0: tensor<30x20xf32> {ae.grad = "enc0.weight"}, %g1: tensor<20xf32> {ae.grad = "enc0.bias"}, %g2: tensor<20x4xf32> {ae.grad = "head.weight"}, %g3: tensor<4xf32> {ae.grad = "head.bias"}, %g4: tensor<4x30xf32> {ae.grad = "dec0.weight"}, %g5: tensor<30xf32> {ae.grad = "dec0.bias"}, %p0: tensor<30x20xf32> {ae.param = "enc0.weight", ae.fan_in = 30 : i64}, %p1: tensor<20xf32> {ae.param = "enc0.bias", ae.fan_in = 30 : i64}, %p2: tensor<20x4xf32> {ae.param = "head.weight", ae.fan_in = 20 : i64}, %p3: tensor<4xf32> {ae.param = "head.bias", ae.fan_in = 20 : i64}, %p4: tensor<4x30xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64}, %p5: tensor<30xf32> {ae.param = "dec0.bias", ae.fan_in = 4 : i64}, %v0: tensor<30x20xf32> {ae.state = "enc0.weight.velocity"}, %v1: tensor<20xf32> {ae.state = "enc0.bias.velocity"}, %v2: tensor<20x4xf32> {ae.state = "head.weight.velocity"}, %v3: tensor<4xf32> {ae.state = "head.bias.velocity"}, %v4: tensor<4x30xf32> {ae.state = "dec0.weight.velocity"}, %v5: tensor<30xf32> {ae.state = "dec0.bias.velocity"}) -> (tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>) {
    %lr = arith.constant 0.1 : f32
    %mu = arith.constant 0.9 : f32
    %u0_e = tensor.empty() : tensor<30x20xf32>
    %u0:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%p0, %g0, %v0 : tensor<30x20xf32>, tensor<30x20xf32>, tensor<30x20xf32>) outs(%u0_e, %u0_e : tensor<30x20xf32>, tensor<30x20xf32>) {
    ^bb0(%p: f32, %g: f32, %v: f32, %o0: f32, %o1: f32):
      %mv = arith.mulf %mu, %v : f32
      %nv = arith.addf %mv, %g : f32
      %step = arith.mulf %lr, %nv : f32
      %np = arith.subf %p, %step : f32
      linalg.yield %np, %nv : f32, f32
    } -> (tensor<30x20xf32>, tensor<30x20xf32>)
    %u1_e = tensor.empty() : tensor<20xf32>
    %u1:2 = linalg.generic {indexing_maps = [#id1, #id1, #id1, #id1, #id1], iterator_types = ["parallel"]} ins(%p1, %g1, %v1 : tensor<20xf32>, tensor<20xf32>, tensor<20xf32>) outs(%u1_e, %u1_e : tensor<20xf32>, tensor<20xf32>) {
    ^bb0(%p: f32, %g: f32, %v: f32, %o0: f32, %o1: f32):
      %mv = arith.mulf %mu, %v : f32
      %nv = arith.addf %mv, %g : f32
      %step = arith.mulf %lr, %nv : f32
      %np = arith.subf %p, %step : f32
      linalg.yield %np, %nv : f32, f32
    } -> (tensor<20xf32>, tensor<20xf32>)
    %u2_e = tensor.empty() : tensor<20x4xf32>
    %u2:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%p2, %g2, %v2 : tensor<20x4xf32>, tensor<20x4xf32>, tensor<20x4xf32>) outs(%u2_e, %u2_e : tensor<20x4xf32>, tensor<20x4xf32>) {
    ^bb0(%p: f32, %g: f32, %v: f32, %o0: f32, %o1: f32):
      %mv = arith.mulf %mu, %v : f32
      %nv = arith.addf %mv, %g : f32
      %step = arith.mulf %lr, %nv : f32
      %np = arith.subf %p, %step : f32
      linalg.yield %np, %nv : f32, f32
    } -> (tensor<20x4xf32>, tensor<20x4xf32>)
    %u3_e = tensor.empty() : tensor<4xf32>
    %u3:2 = linalg.generic {indexing_maps = [#id1, #id1, #id1, #id1, #id1], iterator_types = ["parallel"]} ins(%p3, %g3, %v3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) outs(%u3_e, %u3_e : tensor<4xf32>, tensor<4xf32>) {
    ^bb0(%p: f32, %g: f32, %v: f32, %o0: f32, %o1: f32):
      %mv = arith.mulf %mu, %v : f32
      %nv = arith.addf %mv, %g : f32
      %step = arith.mulf %lr, %nv : f32
      %np = arith.subf %p, %step : f32
      linalg.yield %np, %nv : f32, f32
    } -> (tensor<4xf32>, tensor<4xf32>)
    %u4_e = tensor.empty() : tensor<4x30xf32>
    %u4:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%p4, %g4, %v4 : tensor<4x30xf32>, tensor<4x30xf32>, tensor<4x30xf32>) outs(%u4_e, %u4_e : tensor<4x30xf32>, tensor<4x30xf32>) {
    ^bb0(%p: f32, %g: f32, %v: f32, %o0: f32, %o1: f32):
      %mv = arith.mulf %mu, %v : f32
      %nv = arith.addf %mv, %g : f32
      %step = arith.mulf %lr, %nv : f32
      %np = arith.subf %p, %step : f32
      linalg.yield %np, %nv : f32, f32
    } -> (tensor<4x30xf32>, tensor<4x30xf32>)
    %u5_e = tensor.empty() : tensor<30xf32>
    %u5:2 = linalg.generic {indexing_maps = [#id1, #id1, #id1, #id1, #id1], iterator_types = ["parallel"]} ins(%p5, %g5, %v5 : tensor<30xf32>, tensor<30xf32>, tensor<30xf32>) outs(%u5_e, %u5_e : tensor<30xf32>, tensor<30xf32>) {
    ^bb0(%p: f32, %g: f32, %v: f32, %o0: f32, %o1: f32):
      %mv = arith.mulf %mu, %v : f32
      %nv = arith.addf %mv, %g : f32
      %step = arith.mulf %lr, %nv : f32
      %np = arith.subf %p, %step : f32
      linalg.yield %np, %nv : f32, f32
    } -> (tensor<30xf32>, tensor<30xf32>)
    return %u0#0, %u1#0, %u2#0, %u3#0, %u4#0, %u5#0, %u0#1, %u1#1, %u2#1, %u3#1, %u4#1, %u5#1 : tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>
  }

  func.func @train_step(%x: tensor<?x1x5x6xf32>, %seed: i64, %call: i64, %stepno: i64, %p0: tensor<30x20xf32> {ae.param = "enc0.weight", ae.fan_in = 30 : i64}, %p1: tensor<20xf32> {ae.param = "enc0.bias", ae.fan_in = 30 : i64}, %p2: tensor<20x4xf32> {ae.param = "head.weight", ae.fan_in = 20 : i64}, %p3: tensor<4xf32> {ae.param = "head.bias", ae.fan_in = 20 : i64}, %p4: tensor<4x30xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64}, %p5: tensor<30xf32> {ae.param = "dec0.bias", ae.fan_in = 4 : i64}, %v0: tensor<30x20xf32> {ae.state = "enc0.weight.velocity"}, %v1: tensor<20xf32> {ae.state = "enc0.bias.velocity"}, %v2: tensor<20x4xf32> {ae.state = "head.weight.velocity"}, %v3: tensor<4xf32> {ae.state = "head.bias.velocity"}, %v4: tensor<4x30xf32> {ae.state = "dec0.weight.velocity"}, %v5: tensor<30xf32> {ae.state = "dec0.bias.velocity"}) -> (f32, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>) {
    %r:7 = func.call @loss_grad(%x, %seed, %call, %p0, %p1, %p2, %p3, %p4, %p5) : (tensor<?x1x5x6xf32>, i64, i64, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>) -> (f32, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>)
    %u:12 = func.call @apply_grad(%stepno, %r#1, %r#2, %r#3, %r#4, %r#5, %r#6, %p0, %p1, %p2, %p3, %p4, %p5, %v0, %v1, %v2, %v3, %v4, %v5) : (i64, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>) -> (tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>)
    return %r#0, %u#0, %u#1, %u#2, %u#3, %u#4, %u#5, %u#6, %u#7, %u#8, %u#9, %u#10, %u#11 : f32, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>, tensor<30x20xf32>, tensor<20xf32>, tensor<20x4xf32>, tensor<4xf32>, tensor<4x30xf32>, tensor<30xf32>
  }
}
