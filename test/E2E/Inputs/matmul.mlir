// The three contraction shapes of a dense layer's training step at MNIST
// size: y = relu(x W + b) (forward), x^ = z W^T (input gradient, B
// transposed), x^T d (weight gradient, A transposed, reduction over the
// dynamic batch). The loss is a dummy: @loss_grad only exists to return the
// weight-gradient-shaped product.
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>
module attributes {ae.model = "mm", ae.input_shape = array<i64: 784>, ae.latent_size = 512 : i64} {
  func.func @encode(%x: tensor<?x784xf32>, %w: tensor<784x512xf32> {ae.param = "w", ae.fan_in = 784 : i64}, %b: tensor<512xf32> {ae.param = "b", ae.fan_in = 784 : i64}) -> tensor<?x512xf32> {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %n = tensor.dim %x, %c0 : tensor<?x784xf32>
    %e = tensor.empty(%n) : tensor<?x512xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x512xf32>) -> tensor<?x512xf32>
    %m = linalg.matmul ins(%x, %w : tensor<?x784xf32>, tensor<784x512xf32>) outs(%f : tensor<?x512xf32>) -> tensor<?x512xf32>
    %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%m, %b : tensor<?x512xf32>, tensor<512xf32>) outs(%e : tensor<?x512xf32>) {
    ^bb0(%a: f32, %bb: f32, %o: f32):
      %s = arith.addf %a, %bb : f32
      %y = arith.maximumf %s, %zero : f32
      linalg.yield %y : f32
    } -> tensor<?x512xf32>
    return %r : tensor<?x512xf32>
  }
  func.func @decode(%z: tensor<?x512xf32>, %w: tensor<784x512xf32> {ae.param = "w", ae.fan_in = 784 : i64}, %b: tensor<512xf32> {ae.param = "b", ae.fan_in = 784 : i64}) -> tensor<?x784xf32> {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %n = tensor.dim %z, %c0 : tensor<?x512xf32>
    %e = tensor.empty(%n) : tensor<?x784xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x784xf32>) -> tensor<?x784xf32>
    %m = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%z, %w : tensor<?x512xf32>, tensor<784x512xf32>) outs(%f : tensor<?x784xf32>) -> tensor<?x784xf32>
    return %m : tensor<?x784xf32>
  }
  func.func @loss_grad(%x: tensor<?x784xf32>, %seed: i64, %call: i64, %w: tensor<784x512xf32> {ae.param = "w", ae.fan_in = 784 : i64}, %b: tensor<512xf32> {ae.param = "b", ae.fan_in = 784 : i64}) -> (f32, tensor<784x512xf32>, tensor<512xf32>) {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %n = tensor.dim %x, %c0 : tensor<?x784xf32>
    %d = tensor.extract_slice %x[0, 0] [%n, 512] [1, 1] : tensor<?x784xf32> to tensor<?x512xf32>
    %e = tensor.empty() : tensor<784x512xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<784x512xf32>) -> tensor<784x512xf32>
    %m = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %d : tensor<?x784xf32>, tensor<?x512xf32>) outs(%f : tensor<784x512xf32>) -> tensor<784x512xf32>
    %eb = tensor.empty() : tensor<512xf32>
    %fb = linalg.fill ins(%zero : f32) outs(%eb : tensor<512xf32>) -> tensor<512xf32>
    return %zero, %m, %fb : f32, tensor<784x512xf32>, tensor<512xf32>
  }
}
