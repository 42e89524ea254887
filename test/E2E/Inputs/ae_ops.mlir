// Every ae op, lowered by ae-to-linalg and the backend, in C-interface
// functions that read their operands with bufferization.to_tensor and write
// their results with bufferization.materialize_in_destination. Checked
// against the C reference in ae_ops_harness.c. No ae.model attribute: these
// are not a model, so no kernel ABI and no C API.

module {
  func.func @conv(%x: memref<?x2x7x7xf32>, %w: memref<4x2x3x3xf32>, %b: memref<4xf32>,
                  %y: memref<?x4x4x4xf32>) attributes {llvm.emit_c_interface} {
    %xt = bufferization.to_tensor %x restrict : memref<?x2x7x7xf32> to tensor<?x2x7x7xf32>
    %wt = bufferization.to_tensor %w restrict : memref<4x2x3x3xf32> to tensor<4x2x3x3xf32>
    %bt = bufferization.to_tensor %b restrict : memref<4xf32> to tensor<4xf32>
    %r = ae.conv2d %xt, %wt, %bt {stride = 2 : i64, pad = 1 : i64}
        : (tensor<?x2x7x7xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
    bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?x4x4x4xf32>, memref<?x4x4x4xf32>) -> ()
    return
  }

  func.func @deconv(%x: memref<?x4x4x4xf32>, %w: memref<4x2x3x3xf32>, %b: memref<2xf32>,
                    %y: memref<?x2x8x8xf32>) attributes {llvm.emit_c_interface} {
    %xt = bufferization.to_tensor %x restrict : memref<?x4x4x4xf32> to tensor<?x4x4x4xf32>
    %wt = bufferization.to_tensor %w restrict : memref<4x2x3x3xf32> to tensor<4x2x3x3xf32>
    %bt = bufferization.to_tensor %b restrict : memref<2xf32> to tensor<2xf32>
    %r = ae.deconv2d %xt, %wt, %bt {stride = 2 : i64, pad = 1 : i64, output_padding = 1 : i64}
        : (tensor<?x4x4x4xf32>, tensor<4x2x3x3xf32>, tensor<2xf32>) -> tensor<?x2x8x8xf32>
    bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?x2x8x8xf32>, memref<?x2x8x8xf32>) -> ()
    return
  }

  func.func @conv_grads(%x: memref<?x2x7x7xf32>, %w: memref<4x2x3x3xf32>, %dy: memref<?x4x4x4xf32>,
                        %dx: memref<?x2x7x7xf32>, %dw: memref<4x2x3x3xf32>) attributes {llvm.emit_c_interface} {
    %xt = bufferization.to_tensor %x restrict : memref<?x2x7x7xf32> to tensor<?x2x7x7xf32>
    %wt = bufferization.to_tensor %w restrict : memref<4x2x3x3xf32> to tensor<4x2x3x3xf32>
    %dyt = bufferization.to_tensor %dy restrict : memref<?x4x4x4xf32> to tensor<?x4x4x4xf32>
    %gi = ae.conv2d_grad_input %dyt, %wt {stride = 2 : i64, pad = 1 : i64}
        : (tensor<?x4x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x7x7xf32>
    %gw = ae.conv2d_grad_weight %xt, %dyt {stride = 2 : i64, pad = 1 : i64}
        : (tensor<?x2x7x7xf32>, tensor<?x4x4x4xf32>) -> tensor<4x2x3x3xf32>
    bufferization.materialize_in_destination %gi in restrict writable %dx : (tensor<?x2x7x7xf32>, memref<?x2x7x7xf32>) -> ()
    bufferization.materialize_in_destination %gw in restrict writable %dw : (tensor<4x2x3x3xf32>, memref<4x2x3x3xf32>) -> ()
    return
  }

  // Activations and their gradients (from the output y), on [n, 37].
  func.func @activations(%x: memref<?x37xf32>, %dy: memref<?x37xf32>, %y: memref<5x?x37xf32>,
                         %dx: memref<5x?x37xf32>) attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?x37xf32>
    %xt = bufferization.to_tensor %x restrict : memref<?x37xf32> to tensor<?x37xf32>
    %dyt = bufferization.to_tensor %dy restrict : memref<?x37xf32> to tensor<?x37xf32>
    %y0 = ae.activation relu %xt : tensor<?x37xf32>
    %y1 = ae.activation sigmoid %xt : tensor<?x37xf32>
    %y2 = ae.activation tanh %xt : tensor<?x37xf32>
    %y3 = ae.activation softplus %xt : tensor<?x37xf32>
    %y4 = ae.activation leaky_relu %xt {alpha = 0.1 : f64} : tensor<?x37xf32>
    %d0 = ae.activation_grad relu %y0, %dyt : tensor<?x37xf32>
    %d1 = ae.activation_grad sigmoid %y1, %dyt : tensor<?x37xf32>
    %d2 = ae.activation_grad tanh %y2, %dyt : tensor<?x37xf32>
    %d3 = ae.activation_grad softplus %y3, %dyt : tensor<?x37xf32>
    %d4 = ae.activation_grad leaky_relu %y4, %dyt {alpha = 0.1 : f64} : tensor<?x37xf32>
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %ys = tensor.empty(%n) : tensor<5x?x37xf32>
    %i0 = tensor.insert_slice %y0 into %ys[0, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    %i1 = tensor.insert_slice %y1 into %i0[1, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    %i2 = tensor.insert_slice %y2 into %i1[2, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    %i3 = tensor.insert_slice %y3 into %i2[3, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    %i4 = tensor.insert_slice %y4 into %i3[4, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    bufferization.materialize_in_destination %i4 in restrict writable %y : (tensor<5x?x37xf32>, memref<5x?x37xf32>) -> ()
    %g0 = tensor.insert_slice %d0 into %ys[0, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    %g1 = tensor.insert_slice %d1 into %g0[1, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    %g2 = tensor.insert_slice %d2 into %g1[2, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    %g3 = tensor.insert_slice %d3 into %g2[3, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    %g4 = tensor.insert_slice %d4 into %g3[4, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<5x?x37xf32>
    bufferization.materialize_in_destination %g4 in restrict writable %dx : (tensor<5x?x37xf32>, memref<5x?x37xf32>) -> ()
    return
  }

  // Losses: p in (0, 1), t in [0, 1]; also read as logits and as (mu, logvar).
  func.func @losses(%p: memref<?x37xf32>, %t: memref<?x37xf32>, %out: memref<5xf32>)
      attributes {llvm.emit_c_interface} {
    %pt = bufferization.to_tensor %p restrict : memref<?x37xf32> to tensor<?x37xf32>
    %tt = bufferization.to_tensor %t restrict : memref<?x37xf32> to tensor<?x37xf32>
    %l0 = ae.mse %pt, %tt : tensor<?x37xf32>
    %l1 = ae.bce %pt, %tt : tensor<?x37xf32>
    %l2 = ae.bce %pt, %tt from_logits : tensor<?x37xf32>
    %l3 = ae.kl_normal %pt, %tt : tensor<?x37xf32>
    %l4 = ae.loss_combine %l1, %l3 {weights = array<f64: 1.0, 0.5>}
    %r = tensor.from_elements %l0, %l1, %l2, %l3, %l4 : tensor<5xf32>
    bufferization.materialize_in_destination %r in restrict writable %out : (tensor<5xf32>, memref<5xf32>) -> ()
    return
  }

  func.func @loss_grads(%p: memref<?x37xf32>, %t: memref<?x37xf32>, %dl: f32,
                        %out: memref<6x?x37xf32>) attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %n = memref.dim %p, %c0 : memref<?x37xf32>
    %pt = bufferization.to_tensor %p restrict : memref<?x37xf32> to tensor<?x37xf32>
    %tt = bufferization.to_tensor %t restrict : memref<?x37xf32> to tensor<?x37xf32>
    %g0 = ae.mse_grad %pt, %tt, %dl : tensor<?x37xf32>
    %g1 = ae.bce_grad %pt, %tt, %dl : tensor<?x37xf32>
    %g2 = ae.bce_grad %pt, %tt, %dl from_logits : tensor<?x37xf32>
    %g3, %g4 = ae.kl_normal_grad %pt, %tt, %dl : tensor<?x37xf32>
    %g5 = ae.reparam_grad %pt, %tt, %pt : tensor<?x37xf32>
    %e = tensor.empty(%n) : tensor<6x?x37xf32>
    %i0 = tensor.insert_slice %g0 into %e[0, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<6x?x37xf32>
    %i1 = tensor.insert_slice %g1 into %i0[1, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<6x?x37xf32>
    %i2 = tensor.insert_slice %g2 into %i1[2, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<6x?x37xf32>
    %i3 = tensor.insert_slice %g3 into %i2[3, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<6x?x37xf32>
    %i4 = tensor.insert_slice %g4 into %i3[4, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<6x?x37xf32>
    %i5 = tensor.insert_slice %g5 into %i4[5, 0, 0] [1, %n, 37] [1, 1, 1] : tensor<?x37xf32> into tensor<6x?x37xf32>
    bufferization.materialize_in_destination %i5 in restrict writable %out : (tensor<6x?x37xf32>, memref<6x?x37xf32>) -> ()
    return
  }

  // Randomness: noise of every kind on [n, 3, 5, 6] and reparam on [n, 7].
  func.func @random(%x: memref<?x3x5x6xf32>, %mu: memref<?x7xf32>, %lv: memref<?x7xf32>,
                    %seed: i64, %call: i64, %noisy: memref<4x?x3x5x6xf32>,
                    %z: memref<?x7xf32>) attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?x3x5x6xf32>
    %xt = bufferization.to_tensor %x restrict : memref<?x3x5x6xf32> to tensor<?x3x5x6xf32>
    %mut = bufferization.to_tensor %mu restrict : memref<?x7xf32> to tensor<?x7xf32>
    %lvt = bufferization.to_tensor %lv restrict : memref<?x7xf32> to tensor<?x7xf32>
    %n0 = ae.noise mask %xt, %seed, %call {param = 3.000000e-01 : f64} : tensor<?x3x5x6xf32>
    %n1 = ae.noise gaussian %xt, %seed, %call {param = 5.000000e-01 : f64} : tensor<?x3x5x6xf32>
    %n2 = ae.noise block %xt, %seed, %call {param = 2.000000e+00 : f64} : tensor<?x3x5x6xf32>
    %n3 = ae.noise blur %xt, %seed, %call {param = 8.000000e-01 : f64} : tensor<?x3x5x6xf32>
    %e = tensor.empty(%n) : tensor<4x?x3x5x6xf32>
    %i0 = tensor.insert_slice %n0 into %e[0, 0, 0, 0, 0] [1, %n, 3, 5, 6] [1, 1, 1, 1, 1] : tensor<?x3x5x6xf32> into tensor<4x?x3x5x6xf32>
    %i1 = tensor.insert_slice %n1 into %i0[1, 0, 0, 0, 0] [1, %n, 3, 5, 6] [1, 1, 1, 1, 1] : tensor<?x3x5x6xf32> into tensor<4x?x3x5x6xf32>
    %i2 = tensor.insert_slice %n2 into %i1[2, 0, 0, 0, 0] [1, %n, 3, 5, 6] [1, 1, 1, 1, 1] : tensor<?x3x5x6xf32> into tensor<4x?x3x5x6xf32>
    %i3 = tensor.insert_slice %n3 into %i2[3, 0, 0, 0, 0] [1, %n, 3, 5, 6] [1, 1, 1, 1, 1] : tensor<?x3x5x6xf32> into tensor<4x?x3x5x6xf32>
    bufferization.materialize_in_destination %i3 in restrict writable %noisy : (tensor<4x?x3x5x6xf32>, memref<4x?x3x5x6xf32>) -> ()
    %zt = ae.reparam %mut, %lvt, %seed, %call : tensor<?x7xf32>
    bufferization.materialize_in_destination %zt in restrict writable %z : (tensor<?x7xf32>, memref<?x7xf32>) -> ()
    return
  }

  // Optimizer updates on a [3, 5] parameter; outputs in place of the inputs.
  func.func @updates(%p: memref<3x5xf32>, %g: memref<3x5xf32>, %m: memref<3x5xf32>,
                     %v: memref<3x5xf32>, %step: i64, %sgd: memref<3x5xf32>,
                     %mom: memref<3x5xf32>, %vel: memref<3x5xf32>) attributes {llvm.emit_c_interface} {
    %pt = bufferization.to_tensor %p restrict writable : memref<3x5xf32> to tensor<3x5xf32>
    %gt = bufferization.to_tensor %g restrict : memref<3x5xf32> to tensor<3x5xf32>
    %mt = bufferization.to_tensor %m restrict writable : memref<3x5xf32> to tensor<3x5xf32>
    %vt = bufferization.to_tensor %v restrict writable : memref<3x5xf32> to tensor<3x5xf32>
    %velt = bufferization.to_tensor %vel restrict writable : memref<3x5xf32> to tensor<3x5xf32>
    %s = ae.sgd_update %pt, %gt {lr = 1.0e-01 : f64} : tensor<3x5xf32>
    %mp, %mv = ae.momentum_update %pt, %gt, %velt {lr = 1.0e-01 : f64, momentum = 9.0e-01 : f64} : tensor<3x5xf32>
    %ap, %am, %av = ae.adam_update %pt, %gt, %mt, %vt, %step
        {lr = 1.0e-02 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64} : tensor<3x5xf32>
    bufferization.materialize_in_destination %s in restrict writable %sgd : (tensor<3x5xf32>, memref<3x5xf32>) -> ()
    bufferization.materialize_in_destination %mp in restrict writable %mom : (tensor<3x5xf32>, memref<3x5xf32>) -> ()
    %a0 = bufferization.materialize_in_destination %mv in %velt : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    bufferization.materialize_in_destination %a0 in writable %vel : (tensor<3x5xf32>, memref<3x5xf32>) -> ()
    %a1 = bufferization.materialize_in_destination %ap in %pt : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    bufferization.materialize_in_destination %a1 in writable %p : (tensor<3x5xf32>, memref<3x5xf32>) -> ()
    %a2 = bufferization.materialize_in_destination %am in %mt : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    bufferization.materialize_in_destination %a2 in writable %m : (tensor<3x5xf32>, memref<3x5xf32>) -> ()
    %a3 = bufferization.materialize_in_destination %av in %vt : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    bufferization.materialize_in_destination %a3 in writable %v : (tensor<3x5xf32>, memref<3x5xf32>) -> ()
    return
  }

  // Dense, matmul with transposes, bias gradients, reshape and add.
  func.func @misc(%a: memref<?x6xf32>, %b: memref<?x4xf32>, %w: memref<6x4xf32>, %bias: memref<4xf32>,
                  %img: memref<?x3x2x2xf32>, %dense: memref<?x4xf32>, %ta: memref<6x4xf32>,
                  %tb: memref<?x6xf32>, %bg4: memref<3xf32>, %bg2: memref<4xf32>,
                  %sum: memref<?x3x2x2xf32>) attributes {llvm.emit_c_interface} {
    %at = bufferization.to_tensor %a restrict : memref<?x6xf32> to tensor<?x6xf32>
    %bt = bufferization.to_tensor %b restrict : memref<?x4xf32> to tensor<?x4xf32>
    %wt = bufferization.to_tensor %w restrict : memref<6x4xf32> to tensor<6x4xf32>
    %biast = bufferization.to_tensor %bias restrict : memref<4xf32> to tensor<4xf32>
    %imgt = bufferization.to_tensor %img restrict : memref<?x3x2x2xf32> to tensor<?x3x2x2xf32>
    %d = ae.dense %at, %wt, %biast : (tensor<?x6xf32>, tensor<6x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %m1 = ae.matmul %at, %bt {transpose_a} : (tensor<?x6xf32>, tensor<?x4xf32>) -> tensor<6x4xf32>
    %m2 = ae.matmul %bt, %wt {transpose_b} : (tensor<?x4xf32>, tensor<6x4xf32>) -> tensor<?x6xf32>
    %g4 = ae.bias_grad %imgt : tensor<?x3x2x2xf32> -> tensor<3xf32>
    %g2 = ae.bias_grad %bt : tensor<?x4xf32> -> tensor<4xf32>
    %flat = ae.reshape %imgt : tensor<?x3x2x2xf32> to tensor<?x12xf32>
    %back = ae.reshape %flat : tensor<?x12xf32> to tensor<?x3x2x2xf32>
    %s = ae.add %imgt, %back : tensor<?x3x2x2xf32>
    bufferization.materialize_in_destination %d in restrict writable %dense : (tensor<?x4xf32>, memref<?x4xf32>) -> ()
    bufferization.materialize_in_destination %m1 in restrict writable %ta : (tensor<6x4xf32>, memref<6x4xf32>) -> ()
    bufferization.materialize_in_destination %m2 in restrict writable %tb : (tensor<?x6xf32>, memref<?x6xf32>) -> ()
    bufferization.materialize_in_destination %g4 in restrict writable %bg4 : (tensor<3xf32>, memref<3xf32>) -> ()
    bufferization.materialize_in_destination %g2 in restrict writable %bg2 : (tensor<4xf32>, memref<4xf32>) -> ()
    bufferization.materialize_in_destination %s in restrict writable %sum : (tensor<?x3x2x2xf32>, memref<?x3x2x2xf32>) -> ()
    return
  }
}
