//===- SemaTest.cpp - Parser + Sema on whole models -----------------------===//
//
// What later stages read from the AST: layer names, shapes, parameter
// tensor shapes in the layout of docs/internals.md, fan-in, counts.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/Sema.h"
#include "compiler/frontend/AST.h"
#include "compiler/frontend/Diagnostics.h"
#include "compiler/frontend/Parser.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace aec;

namespace {

struct Checked {
  llvm::SourceMgr sourceMgr;
  std::string diagText;
  std::unique_ptr<ModelAST> model;
  bool ok = false;
};

std::unique_ptr<Checked> check(llvm::StringRef text) {
  auto result = std::make_unique<Checked>();
  unsigned id = result->sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "m.ae"), llvm::SMLoc());
  llvm::raw_string_ostream os(result->diagText);
  DiagnosticEngine diags(result->sourceMgr, os);
  result->model = parseModel(id, diags);
  result->ok = result->model && succeeded(checkModel(*result->model, diags));
  return result;
}

Shape shape(std::initializer_list<int64_t> dims) { return Shape(dims); }

TEST(SemaTest, ConvAutoencoderShapesAndParameterLayout) {
  auto c = check(R"(
model mnist_conv_denoise {
  input [1, 28, 28]
  latent 16
  noise mask(0.5)
  encoder { conv(16, k=3, stride=2, pad=1) relu; conv(32, k=3, stride=2, pad=1) relu; flatten }
  decoder { dense(1568) relu; reshape[32, 7, 7]
            deconv(16, k=3, stride=2, pad=1, outpad=1) relu
            deconv(1, k=3, stride=2, pad=1, outpad=1) sigmoid }
  loss mse
  optimizer adam(lr=1e-3)
})");
  ASSERT_TRUE(c->ok) << c->diagText;
  const ModelAST &m = *c->model;
  EXPECT_EQ(m.name, "mnist_conv_denoise");
  EXPECT_EQ(m.inputShape, shape({1, 28, 28}));
  EXPECT_EQ(m.inputSize, 784);
  EXPECT_EQ(m.latentSize, 16);
  auto layers = m.getAllLayers();
  ASSERT_EQ(layers.size(), 8u);

  const Layer &conv0 = *layers[0];
  EXPECT_EQ(conv0.name, "enc0");
  EXPECT_EQ(conv0.outputShape, shape({16, 14, 14}));
  EXPECT_EQ(conv0.weightShape, shape({16, 1, 3, 3})); // [Cout, Cin, k, k]
  EXPECT_EQ(conv0.biasShape, shape({16}));
  EXPECT_EQ(conv0.fanIn, 9);

  EXPECT_EQ(layers[2]->name, "enc2");
  EXPECT_EQ(layers[2]->kind, LayerKind::Flatten);
  EXPECT_EQ(layers[2]->getParamCount(), 0);

  const Layer &head = *layers[3];
  EXPECT_EQ(head.name, "head");
  EXPECT_EQ(head.weightShape, shape({1568, 16})); // [in, out]
  EXPECT_EQ(head.fanIn, 1568);

  const Layer &deconv = *layers[6];
  EXPECT_EQ(deconv.name, "dec2");
  EXPECT_EQ(deconv.inputShape, shape({32, 7, 7}));
  EXPECT_EQ(deconv.outputShape, shape({16, 14, 14}));
  EXPECT_EQ(deconv.weightShape, shape({32, 16, 3, 3})); // [Cin, Cout, k, k]
  EXPECT_EQ(deconv.fanIn, 16 * 9); // PyTorch: weight dim 1 * k * k
  EXPECT_EQ(layers[7]->outputShape, shape({1, 28, 28}));
  EXPECT_EQ(m.paramCount, 61329);
  ASSERT_TRUE(m.noise.has_value());
  EXPECT_EQ(m.noise->kind, NoiseKind::Mask);
  EXPECT_DOUBLE_EQ(m.noise->value.value, 0.5);
}

TEST(SemaTest, GaussianLatentHasTwoHeads) {
  auto c = check("model v { input [784]; latent gaussian 20\n"
                 "encoder { dense(400) relu }\n"
                 "decoder { dense(400) relu; dense(784) sigmoid }\n"
                 "loss bce + 0.5 * kl; optimizer adam }");
  ASSERT_TRUE(c->ok) << c->diagText;
  const ModelAST &m = *c->model;
  ASSERT_EQ(m.heads.size(), 2u);
  EXPECT_EQ(m.heads[0].name, "mu");
  EXPECT_EQ(m.heads[1].name, "logvar");
  for (const Layer &head : m.heads) {
    EXPECT_EQ(head.inputShape, shape({400}));
    EXPECT_EQ(head.outputShape, shape({20}));
  }
  ASSERT_EQ(m.loss->terms.size(), 2u);
  EXPECT_EQ(m.loss->terms[1].kind, LossTermKind::KL);
  EXPECT_DOUBLE_EQ(m.loss->terms[1].weight.value, 0.5);
  EXPECT_DOUBLE_EQ(m.loss->terms[0].weight.value, 1.0);
  EXPECT_EQ(m.paramCount, 652824);
}

TEST(SemaTest, OptimizerDefaults) {
  auto adam = check("model a { input [4]; latent 2; encoder { }; decoder { "
                    "dense(4) }; loss mse; optimizer adam }");
  ASSERT_TRUE(adam->ok) << adam->diagText;
  const OptimizerSection &a = *adam->model->optimizer;
  EXPECT_EQ(a.kind, OptimizerSection::Kind::Adam);
  EXPECT_DOUBLE_EQ(a.lr.value, 1e-3);
  EXPECT_DOUBLE_EQ(a.beta1.value, 0.9);
  EXPECT_DOUBLE_EQ(a.beta2.value, 0.999);
  EXPECT_DOUBLE_EQ(a.eps.value, 1e-8);

  auto sgd = check("model s { input [4]; latent 2; encoder { }; decoder { "
                   "dense(4) }; loss mse; optimizer sgd(momentum=0.5) }");
  ASSERT_TRUE(sgd->ok) << sgd->diagText;
  const OptimizerSection &s = *sgd->model->optimizer;
  EXPECT_EQ(s.kind, OptimizerSection::Kind::SGD);
  EXPECT_DOUBLE_EQ(s.lr.value, 0.01);
  EXPECT_DOUBLE_EQ(s.momentum.value, 0.5);
}

TEST(SemaTest, ActivationsAndPositionalArguments) {
  auto c = check("model a { input [1, 9, 9]; latent 3\n"
                 "encoder { conv(2, 3, 2, 1, false) leaky_relu(alpha=0.1); "
                 "flatten; softplus }\n"
                 "decoder { dense(81) tanh; reshape[1, 9, 9]; sigmoid }\n"
                 "loss bce; optimizer adam }");
  ASSERT_TRUE(c->ok) << c->diagText;
  const Layer &conv = c->model->encoder->layers[0];
  EXPECT_EQ(conv.kernel.value, 3);
  EXPECT_EQ(conv.stride.value, 2);
  EXPECT_EQ(conv.pad.value, 1);
  EXPECT_FALSE(conv.bias.value);
  EXPECT_EQ(conv.outputShape, shape({2, 5, 5}));
  ASSERT_TRUE(conv.activation.has_value());
  EXPECT_EQ(conv.activation->kind, ActivationKind::LeakyRelu);
  EXPECT_DOUBLE_EQ(conv.activation->alpha.value, 0.1);
  const Layer &softplus = c->model->encoder->layers[2];
  EXPECT_EQ(softplus.kind, LayerKind::Activation);
  EXPECT_EQ(softplus.name, "enc2");
  EXPECT_EQ(softplus.activation->kind, ActivationKind::Softplus);
}

TEST(SemaTest, ErrorsAreReportedInSourceOrder) {
  auto c = check("model a { input [4]; latent 2; encoder { }\n"
                 "decoder { dense(4) }\n"
                 "loss mse + 0 * mse\n"
                 "optimizer adam(lr=0) }");
  EXPECT_FALSE(c->ok);
  size_t weight = c->diagText.find("m.ae:3:12: error: weight");
  size_t twice = c->diagText.find("m.ae:3:12: error: loss term 'mse' appears");
  size_t lr = c->diagText.find("m.ae:4:19: error: learning rate");
  ASSERT_NE(weight, std::string::npos) << c->diagText;
  ASSERT_NE(twice, std::string::npos) << c->diagText;
  ASSERT_NE(lr, std::string::npos) << c->diagText;
  EXPECT_LT(weight, lr);
  EXPECT_LT(twice, lr);
}

TEST(SemaTest, SummaryNamesEveryLayer) {
  auto c = check("model s { input [64]; latent 5\n"
                 "encoder { dense(32) relu; dense(16) relu }\n"
                 "decoder { dense(16) relu; dense(32) relu; dense(64) }\n"
                 "loss mse; optimizer adam(lr=1e-3) }");
  ASSERT_TRUE(c->ok) << c->diagText;
  std::string summary;
  llvm::raw_string_ostream os(summary);
  printModelSummary(*c->model, os);
  for (const char *name : {"enc0", "enc1", "head", "dec0", "dec1", "dec2"})
    EXPECT_NE(summary.find(std::string("  ") + name + " "), std::string::npos)
        << name << "\n"
        << summary;
  EXPECT_NE(summary.find("total parameters: 5445"), std::string::npos)
      << summary;
}

} // namespace
