//===- Parser.cpp - Recursive-descent parser for .ae ----------------------===//

#include "compiler/frontend/Parser.h"

#include "compiler/frontend/Lexer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/LogicalResult.h"

using namespace aec;
using llvm::failed;
using llvm::failure;
using llvm::LogicalResult;
using llvm::SMLoc;
using llvm::SMRange;
using llvm::success;

namespace {

/// One `name=value` or positional argument of a call like `conv(16, k=3)`.
struct Arg {
  llvm::StringRef name;
  SMRange nameRange;
  /// Integer, Float or Identifier.
  Token value;
  bool negative = false;
  /// The value including its sign.
  SMRange valueRange;

  llvm::StringRef getValueText() const {
    return llvm::StringRef(valueRange.Start.getPointer(),
                           valueRange.End.getPointer() -
                               valueRange.Start.getPointer());
  }
};

enum class ValueType { Int, Float, Bool };

struct ParamSpec {
  const char *name;
  ValueType type;
  bool required;
};

/// A parsed call: callee name, arguments, and where its `)` is.
struct Call {
  llvm::StringRef callee;
  SMRange calleeRange;
  llvm::SmallVector<Arg, 4> args;
  SMLoc closeLoc;
};

constexpr const char *kSectionList =
    "input, latent, noise, encoder, decoder, loss or optimizer";
constexpr const char *kLayerList =
    "dense, conv, deconv, flatten, reshape or an activation (relu, sigmoid, "
    "tanh, softplus, leaky_relu, identity)";

class Parser {
public:
  Parser(llvm::StringRef buffer, DiagnosticEngine &diags)
      : diags(diags), lexer(buffer, diags) {}

  std::unique_ptr<ModelAST> parse();

private:
  //===--- Tokens -------------------------------------------------------===//
  void consume() {
    lastEnd = tok.getEndLoc();
    tok = lexer.lex();
  }
  void skipNewlines() {
    while (tok.is(TokenKind::Newline))
      consume();
  }
  /// Reports "expected <what>, found <token>" (or the end-of-file variant,
  /// once). Silent on a lexical error token, which is already reported.
  LogicalResult emitExpected(const llvm::Twine &what);
  LogicalResult expect(TokenKind kind, const llvm::Twine &what) {
    if (!tok.is(kind))
      return emitExpected(what);
    consume();
    return success();
  }
  /// Skips the rest of a statement after an error: up to a newline or `;`
  /// at the statement's level, or a `}` closing the enclosing block. Nested
  /// braces are skipped whole with a counter, never recursion.
  void skipStatement();
  /// Parses `stmt (sep stmt)* }` after a `{` at `openLoc`.
  LogicalResult parseStatements(SMLoc openLoc, SMLoc &closeLoc,
                                llvm::function_ref<LogicalResult()> parseOne);

  //===--- Model and sections -------------------------------------------===//
  LogicalResult parseSection(ModelAST &model);
  LogicalResult parseInput(ModelAST &model);
  LogicalResult parseLatent(ModelAST &model);
  LogicalResult parseNoise(ModelAST &model);
  LogicalResult parseBlock(std::optional<LayerBlock> &slot,
                           llvm::StringRef what);
  LogicalResult parseLoss(ModelAST &model);
  LogicalResult parseLossTerm(LossTerm &term);
  LogicalResult parseOptimizer(ModelAST &model);
  template <typename Section>
  void setSection(std::optional<Section> &slot, Section section, SMRange range,
                  llvm::StringRef what);

  //===--- Layers -------------------------------------------------------===//
  LogicalResult parseLayer(Layer &layer);
  LogicalResult parseActivation(Activation &activation);
  LogicalResult parseDims(llvm::SmallVectorImpl<Located<int64_t>> &dims,
                          llvm::StringRef what);

  //===--- Values and arguments -----------------------------------------===//
  LogicalResult parseInteger(Located<int64_t> &result, llvm::StringRef what);
  /// Parses `callee(args...)` with `tok` at the callee.
  LogicalResult parseCall(Call &call, llvm::StringRef usage);
  /// Parses `(args...)`; `call.callee` is already set.
  LogicalResult parseCallArgs(Call &call, llvm::StringRef usage);
  LogicalResult parseArg(Arg &arg);
  /// Matches the call's arguments to `specs` (positional in order, then
  /// named); reports unknown, repeated and missing arguments.
  LogicalResult bindArgs(const Call &call, llvm::ArrayRef<ParamSpec> specs,
                         llvm::SmallVectorImpl<const Arg *> &bound);
  LogicalResult getInt(const Call &call, const Arg *arg, const ParamSpec &spec,
                       Located<int64_t> &result);
  LogicalResult getFloat(const Call &call, const Arg *arg,
                         const ParamSpec &spec, Located<double> &result);
  LogicalResult getBool(const Call &call, const Arg *arg, const ParamSpec &spec,
                        Located<bool> &result);

  SMRange rangeFrom(SMLoc start) const { return {start, lastEnd}; }

  DiagnosticEngine &diags;
  Lexer lexer;
  Token tok;
  SMLoc lastEnd;
  /// Set once an error about the end of the file is out (or recovery ran
  /// into the end of the file after an error): the end of the file is then
  /// not reported again by every enclosing construct.
  bool eofHandled = false;
};

} // namespace

//===----------------------------------------------------------------------===//
// Tokens and recovery
//===----------------------------------------------------------------------===//

LogicalResult Parser::emitExpected(const llvm::Twine &what) {
  if (tok.is(TokenKind::Error))
    return failure();
  if (tok.is(TokenKind::Eof)) {
    if (!eofHandled)
      diags.error(tok.getLoc(), "unexpected end of file, expected " + what);
    eofHandled = true;
    return failure();
  }
  diags.error(tok.getRange(),
              "expected " + what + ", found " + describeToken(tok));
  return failure();
}

void Parser::skipStatement() {
  uint64_t depth = 0;
  while (true) {
    switch (tok.kind) {
    case TokenKind::Eof:
      eofHandled = true;
      return;
    case TokenKind::Newline:
    case TokenKind::Semicolon:
      if (depth == 0)
        return;
      break;
    case TokenKind::LBrace:
      ++depth;
      break;
    case TokenKind::RBrace:
      if (depth == 0)
        return;
      --depth;
      break;
    default:
      break;
    }
    consume();
  }
}

LogicalResult
Parser::parseStatements(SMLoc openLoc, SMLoc &closeLoc,
                        llvm::function_ref<LogicalResult()> parseOne) {
  while (true) {
    if (diags.reachedErrorLimit())
      return failure();
    while (tok.is(TokenKind::Newline) || tok.is(TokenKind::Semicolon))
      consume();
    if (tok.is(TokenKind::RBrace)) {
      closeLoc = tok.getLoc();
      consume();
      return success();
    }
    if (tok.is(TokenKind::Eof)) {
      if (!eofHandled) {
        diags.error(tok.getLoc(), "unexpected end of file, expected '}'");
        diags.note(openLoc, "to match this '{'");
      }
      eofHandled = true;
      return failure();
    }
    if (failed(parseOne())) {
      skipStatement();
      continue;
    }
    if (tok.is(TokenKind::Newline) || tok.is(TokenKind::Semicolon) ||
        tok.is(TokenKind::RBrace) || tok.is(TokenKind::Eof))
      continue;
    (void)emitExpected("a newline or ';' after the statement");
    skipStatement();
  }
}

//===----------------------------------------------------------------------===//
// Model and sections
//===----------------------------------------------------------------------===//

std::unique_ptr<ModelAST> Parser::parse() {
  if (!lexer.validateText())
    return nullptr;
  consume();
  skipNewlines();
  if (tok.is(TokenKind::Eof)) {
    diags.error(tok.getLoc(),
                "empty model file: expected 'model <name> { ... }'");
    return nullptr;
  }
  auto model = std::make_unique<ModelAST>();
  if (!tok.isIdentifier("model")) {
    (void)emitExpected("'model' at the start of the file");
    return nullptr;
  }
  model->keywordRange = tok.getRange();
  consume();
  if (!tok.is(TokenKind::Identifier)) {
    (void)emitExpected("the model name after 'model'");
    return nullptr;
  }
  model->name = tok.spelling.str();
  model->nameRange = tok.getRange();
  consume();
  skipNewlines();
  if (!tok.is(TokenKind::LBrace)) {
    (void)emitExpected("'{' after the model name");
    return nullptr;
  }
  model->openLoc = tok.getLoc();
  consume();
  if (succeeded(parseStatements(model->openLoc, model->closeLoc,
                                [&] { return parseSection(*model); }))) {
    skipNewlines();
    if (!tok.is(TokenKind::Eof) && !tok.is(TokenKind::Error))
      diags.error(tok.getRange(), "unexpected " + describeToken(tok) +
                                      " after the end of the model; a file "
                                      "holds one model");
  }
  if (diags.hasErrors())
    return nullptr;
  return model;
}

template <typename Section>
void Parser::setSection(std::optional<Section> &slot, Section section,
                        SMRange range, llvm::StringRef what) {
  if (slot) {
    diags.error(range, "duplicate '" + what + "' section");
    SMLoc first = slot->range.Start;
    diags.note(first, "the first '" + what + "' section is here");
    return;
  }
  slot = std::move(section);
}

LogicalResult Parser::parseSection(ModelAST &model) {
  if (!tok.is(TokenKind::Identifier))
    return emitExpected(llvm::Twine("a section (") + kSectionList + ")");
  llvm::StringRef keyword = tok.spelling;
  if (keyword == "input")
    return parseInput(model);
  if (keyword == "latent")
    return parseLatent(model);
  if (keyword == "noise")
    return parseNoise(model);
  if (keyword == "encoder")
    return parseBlock(model.encoder, "encoder");
  if (keyword == "decoder")
    return parseBlock(model.decoder, "decoder");
  if (keyword == "loss")
    return parseLoss(model);
  if (keyword == "optimizer")
    return parseOptimizer(model);
  bool isLayer =
      llvm::is_contained({"dense", "conv", "deconv", "flatten", "reshape"},
                         keyword) ||
      parseActivationName(keyword).has_value();
  diags.error(tok.getRange(),
              "unknown section '" + keyword + "'; expected " + kSectionList +
                  (isLayer ? " (layers belong in 'encoder { ... }' or "
                             "'decoder { ... }')"
                           : ""));
  return failure();
}

LogicalResult Parser::parseInput(ModelAST &model) {
  SMLoc start = tok.getLoc();
  consume();
  InputSection input;
  if (failed(parseDims(input.dims, "the input shape")))
    return failure();
  input.range = rangeFrom(start);
  setSection(model.input, std::move(input), rangeFrom(start), "input");
  return success();
}

LogicalResult Parser::parseLatent(ModelAST &model) {
  SMLoc start = tok.getLoc();
  consume();
  LatentSection latent;
  if (tok.isIdentifier("gaussian")) {
    latent.kind = LatentSection::Kind::Gaussian;
    consume();
  }
  if (failed(
          parseInteger(latent.size, latent.kind == LatentSection::Kind::Gaussian
                                        ? "the latent size"
                                        : "the latent size or 'gaussian'")))
    return failure();
  latent.range = rangeFrom(start);
  setSection(model.latent, latent, latent.range, "latent");
  return success();
}

LogicalResult Parser::parseNoise(ModelAST &model) {
  SMLoc start = tok.getLoc();
  consume();
  if (!tok.is(TokenKind::Identifier))
    return emitExpected("a noise kind (mask, gaussian, blur or block)");
  NoiseSection noise;
  static const ParamSpec maskSpec[] = {{"p", ValueType::Float, true}};
  static const ParamSpec sigmaSpec[] = {{"sigma", ValueType::Float, true}};
  static const ParamSpec blockSpec[] = {{"size", ValueType::Int, true}};
  llvm::ArrayRef<ParamSpec> specs;
  const char *usage;
  if (tok.spelling == "mask") {
    noise.kind = NoiseKind::Mask;
    specs = maskSpec;
    usage = "mask(<p>)";
  } else if (tok.spelling == "gaussian") {
    noise.kind = NoiseKind::Gaussian;
    specs = sigmaSpec;
    usage = "gaussian(<sigma>)";
  } else if (tok.spelling == "blur") {
    noise.kind = NoiseKind::Blur;
    specs = sigmaSpec;
    usage = "blur(<sigma>)";
  } else if (tok.spelling == "block") {
    noise.kind = NoiseKind::Block;
    specs = blockSpec;
    usage = "block(<size>)";
  } else {
    diags.error(tok.getRange(), "unknown noise '" + tok.spelling +
                                    "'; expected mask, gaussian, blur or "
                                    "block");
    return failure();
  }
  Call call;
  llvm::SmallVector<const Arg *, 4> bound;
  if (failed(parseCall(call, usage)) || failed(bindArgs(call, specs, bound)))
    return failure();
  if (noise.kind == NoiseKind::Block) {
    Located<int64_t> size;
    if (failed(getInt(call, bound[0], specs[0], size)))
      return failure();
    noise.value = Located<double>(static_cast<double>(size.value), size.range);
  } else if (failed(getFloat(call, bound[0], specs[0], noise.value))) {
    return failure();
  }
  noise.range = rangeFrom(start);
  setSection(model.noise, noise, noise.range, "noise");
  return success();
}

LogicalResult Parser::parseBlock(std::optional<LayerBlock> &slot,
                                 llvm::StringRef what) {
  LayerBlock block;
  block.keywordRange = tok.getRange();
  consume();
  skipNewlines();
  if (!tok.is(TokenKind::LBrace))
    return emitExpected("'{' after '" + what + "'");
  block.openLoc = tok.getLoc();
  consume();
  LogicalResult result =
      parseStatements(block.openLoc, block.closeLoc, [&]() -> LogicalResult {
        Layer layer;
        if (failed(parseLayer(layer)))
          return failure();
        block.layers.push_back(std::move(layer));
        return success();
      });
  // A block with errors inside was still parsed to its end: no recovery
  // needed by the caller unless the end of the file was hit.
  if (failed(result) && !tok.is(TokenKind::Eof))
    return failure();
  if (slot) {
    diags.error(block.keywordRange, "duplicate '" + what + "' section");
    diags.note(slot->keywordRange.Start,
               "the first '" + what + "' section is here");
    return success();
  }
  slot = std::move(block);
  return success();
}

LogicalResult Parser::parseLoss(ModelAST &model) {
  SMLoc start = tok.getLoc();
  consume();
  LossSection loss;
  while (true) {
    LossTerm term;
    if (failed(parseLossTerm(term)))
      return failure();
    loss.terms.push_back(term);
    if (tok.is(TokenKind::Minus)) {
      diags.error(tok.getRange(), "loss terms are added: write '+ <weight> * "
                                  "<term>' with a positive weight");
      return failure();
    }
    if (!tok.is(TokenKind::Plus))
      break;
    consume();
  }
  loss.range = rangeFrom(start);
  setSection(model.loss, std::move(loss), rangeFrom(start), "loss");
  return success();
}

LogicalResult Parser::parseLossTerm(LossTerm &term) {
  SMLoc start = tok.getLoc();
  bool negative = false;
  bool hasSign = tok.is(TokenKind::Minus) || tok.is(TokenKind::Plus);
  if (hasSign) {
    negative = tok.is(TokenKind::Minus);
    consume();
  }
  if (tok.isNumber()) {
    double value = negative ? -tok.floatValue : tok.floatValue;
    consume();
    term.weight = Located<double>(value, rangeFrom(start));
    if (failed(expect(TokenKind::Star, "'*' after the loss weight")))
      return failure();
  } else if (hasSign) {
    return emitExpected("a loss weight after the sign");
  }
  if (!tok.is(TokenKind::Identifier))
    return emitExpected("a loss term (mse, bce or kl)");
  auto kind = llvm::StringSwitch<std::optional<LossTermKind>>(tok.spelling)
                  .Case("mse", LossTermKind::MSE)
                  .Case("bce", LossTermKind::BCE)
                  .Case("kl", LossTermKind::KL)
                  .Default(std::nullopt);
  if (!kind) {
    diags.error(tok.getRange(), "unknown loss term '" + tok.spelling +
                                    "'; expected mse, bce or kl");
    return failure();
  }
  term.kind = *kind;
  consume();
  term.range = rangeFrom(start);
  return success();
}

LogicalResult Parser::parseOptimizer(ModelAST &model) {
  SMLoc start = tok.getLoc();
  consume();
  if (!tok.is(TokenKind::Identifier))
    return emitExpected("an optimizer (adam or sgd)");
  OptimizerSection optimizer;
  static const ParamSpec adamSpec[] = {{"lr", ValueType::Float, false},
                                       {"beta1", ValueType::Float, false},
                                       {"beta2", ValueType::Float, false},
                                       {"eps", ValueType::Float, false}};
  static const ParamSpec sgdSpec[] = {{"lr", ValueType::Float, false},
                                      {"momentum", ValueType::Float, false}};
  llvm::ArrayRef<ParamSpec> specs;
  const char *usage;
  if (tok.spelling == "adam") {
    optimizer.kind = OptimizerSection::Kind::Adam;
    specs = adamSpec;
    usage = "adam(lr=<lr>, beta1=<b1>, beta2=<b2>, eps=<eps>)";
  } else if (tok.spelling == "sgd") {
    optimizer.kind = OptimizerSection::Kind::SGD;
    optimizer.lr = Located<double>(0.01);
    specs = sgdSpec;
    usage = "sgd(lr=<lr>, momentum=<m>)";
  } else {
    diags.error(tok.getRange(), "unknown optimizer '" + tok.spelling +
                                    "'; expected adam or sgd");
    return failure();
  }
  Call call;
  call.callee = tok.spelling;
  call.calleeRange = tok.getRange();
  consume();
  if (!tok.is(TokenKind::LParen)) {
    // `optimizer adam`: every hyper-parameter at its default.
    optimizer.range = rangeFrom(start);
    setSection(model.optimizer, optimizer, optimizer.range, "optimizer");
    return success();
  }
  llvm::SmallVector<const Arg *, 4> bound;
  if (failed(parseCallArgs(call, usage)) ||
      failed(bindArgs(call, specs, bound)))
    return failure();
  Located<double> *targets[] = {&optimizer.lr, &optimizer.beta1,
                                &optimizer.beta2, &optimizer.eps};
  if (optimizer.kind == OptimizerSection::Kind::SGD)
    targets[1] = &optimizer.momentum;
  for (size_t i = 0; i < specs.size(); ++i)
    if (bound[i] && failed(getFloat(call, bound[i], specs[i], *targets[i])))
      return failure();
  optimizer.range = rangeFrom(start);
  setSection(model.optimizer, optimizer, optimizer.range, "optimizer");
  return success();
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

LogicalResult Parser::parseLayer(Layer &layer) {
  if (!tok.is(TokenKind::Identifier))
    return emitExpected(llvm::Twine("a layer (") + kLayerList + ")");
  SMLoc start = tok.getLoc();
  llvm::StringRef name = tok.spelling;

  if (name == "dense" || name == "conv" || name == "deconv") {
    static const ParamSpec denseSpec[] = {{"units", ValueType::Int, true},
                                          {"bias", ValueType::Bool, false}};
    static const ParamSpec convSpec[] = {{"channels", ValueType::Int, true},
                                         {"k", ValueType::Int, true},
                                         {"stride", ValueType::Int, false},
                                         {"pad", ValueType::Int, false},
                                         {"bias", ValueType::Bool, false}};
    static const ParamSpec deconvSpec[] = {
        {"channels", ValueType::Int, true}, {"k", ValueType::Int, true},
        {"stride", ValueType::Int, false},  {"pad", ValueType::Int, false},
        {"outpad", ValueType::Int, false},  {"bias", ValueType::Bool, false}};
    llvm::ArrayRef<ParamSpec> specs;
    const char *usage;
    if (name == "dense") {
      layer.kind = LayerKind::Dense;
      specs = denseSpec;
      usage = "dense(<units>[, bias=false])";
    } else if (name == "conv") {
      layer.kind = LayerKind::Conv;
      specs = convSpec;
      usage = "conv(<channels>, k=<k>[, stride=1][, pad=0])";
    } else {
      layer.kind = LayerKind::Deconv;
      specs = deconvSpec;
      usage = "deconv(<channels>, k=<k>[, stride=1][, pad=0][, outpad=0])";
    }
    Call call;
    llvm::SmallVector<const Arg *, 6> bound;
    if (failed(parseCall(call, usage)) || failed(bindArgs(call, specs, bound)))
      return failure();
    Located<int64_t> *intTargets[] = {&layer.size, &layer.kernel, &layer.stride,
                                      &layer.pad, &layer.outputPadding};
    for (size_t i = 0; i < specs.size(); ++i) {
      if (!bound[i])
        continue;
      if (specs[i].type == ValueType::Bool) {
        if (failed(getBool(call, bound[i], specs[i], layer.bias)))
          return failure();
      } else if (failed(getInt(call, bound[i], specs[i], *intTargets[i]))) {
        return failure();
      }
    }
  } else if (name == "flatten") {
    layer.kind = LayerKind::Flatten;
    consume();
    if (tok.is(TokenKind::LParen) || tok.is(TokenKind::LBracket)) {
      diags.error(tok.getRange(), "'flatten' takes no arguments");
      return failure();
    }
  } else if (name == "reshape") {
    layer.kind = LayerKind::Reshape;
    consume();
    if (failed(parseDims(layer.dims, "the target shape of 'reshape'")))
      return failure();
  } else if (parseActivationName(name)) {
    layer.kind = LayerKind::Activation;
    Activation activation;
    if (failed(parseActivation(activation)))
      return failure();
    layer.activation = activation;
    layer.range = activation.range;
    return success();
  } else {
    diags.error(tok.getRange(),
                "unknown layer '" + name + "'; expected " + kLayerList);
    return failure();
  }
  layer.range = rangeFrom(start);

  // `dense(400) relu`: the activation of the layer.
  if (tok.is(TokenKind::Identifier)) {
    if (!parseActivationName(tok.spelling))
      return emitExpected("an activation (relu, sigmoid, tanh, softplus, "
                          "leaky_relu, identity) or the end of the statement");
    Activation activation;
    if (failed(parseActivation(activation)))
      return failure();
    layer.activation = activation;
  }
  return success();
}

LogicalResult Parser::parseActivation(Activation &activation) {
  SMLoc start = tok.getLoc();
  activation.kind = *parseActivationName(tok.spelling);
  if (activation.kind != ActivationKind::LeakyRelu) {
    llvm::StringRef name = tok.spelling;
    consume();
    if (tok.is(TokenKind::LParen)) {
      diags.error(tok.getRange(), "'" + name + "' takes no arguments");
      return failure();
    }
    activation.range = rangeFrom(start);
    return success();
  }
  static const ParamSpec leakySpec[] = {{"alpha", ValueType::Float, true}};
  Call call;
  llvm::SmallVector<const Arg *, 1> bound;
  if (failed(parseCall(call, "leaky_relu(<alpha>)")) ||
      failed(bindArgs(call, leakySpec, bound)) ||
      failed(getFloat(call, bound[0], leakySpec[0], activation.alpha)))
    return failure();
  activation.range = rangeFrom(start);
  return success();
}

LogicalResult Parser::parseDims(llvm::SmallVectorImpl<Located<int64_t>> &dims,
                                llvm::StringRef what) {
  if (failed(expect(TokenKind::LBracket, "'[' to start " + what)))
    return failure();
  while (true) {
    Located<int64_t> dim;
    if (failed(parseInteger(dim, "a dimension")))
      return failure();
    dims.push_back(dim);
    if (tok.is(TokenKind::Comma)) {
      consume();
      continue;
    }
    return expect(TokenKind::RBracket, "',' or ']'");
  }
}

//===----------------------------------------------------------------------===//
// Values and arguments
//===----------------------------------------------------------------------===//

LogicalResult Parser::parseInteger(Located<int64_t> &result,
                                   llvm::StringRef what) {
  SMLoc start = tok.getLoc();
  bool negative = false;
  bool hasSign = tok.is(TokenKind::Minus) || tok.is(TokenKind::Plus);
  if (hasSign) {
    negative = tok.is(TokenKind::Minus);
    consume();
  }
  if (tok.is(TokenKind::Float)) {
    diags.error(tok.getRange(), "expected " + what + " (an integer), found " +
                                    describeToken(tok));
    return failure();
  }
  if (!tok.is(TokenKind::Integer))
    return emitExpected(what);
  result = Located<int64_t>(negative ? -tok.intValue : tok.intValue,
                            SMRange(start, tok.getEndLoc()));
  consume();
  return success();
}

LogicalResult Parser::parseCall(Call &call, llvm::StringRef usage) {
  call.callee = tok.spelling;
  call.calleeRange = tok.getRange();
  consume();
  return parseCallArgs(call, usage);
}

LogicalResult Parser::parseCallArgs(Call &call, llvm::StringRef usage) {
  if (!tok.is(TokenKind::LParen))
    return emitExpected("'(' after '" + call.callee + "': " + usage);
  consume();
  if (tok.is(TokenKind::RParen)) {
    call.closeLoc = tok.getLoc();
    consume();
    return success();
  }
  while (true) {
    Arg arg;
    if (failed(parseArg(arg)))
      return failure();
    call.args.push_back(arg);
    if (tok.is(TokenKind::Comma)) {
      consume();
      continue;
    }
    if (tok.is(TokenKind::RParen)) {
      call.closeLoc = tok.getLoc();
      consume();
      return success();
    }
    return emitExpected("',' or ')'");
  }
}

LogicalResult Parser::parseArg(Arg &arg) {
  if (tok.is(TokenKind::Identifier)) {
    Token first = tok;
    consume();
    if (!tok.is(TokenKind::Equal)) {
      arg.value = first;
      arg.valueRange = first.getRange();
      return success();
    }
    arg.name = first.spelling;
    arg.nameRange = first.getRange();
    consume();
  }
  SMLoc start = tok.getLoc();
  bool hasSign = tok.is(TokenKind::Minus) || tok.is(TokenKind::Plus);
  if (hasSign) {
    arg.negative = tok.is(TokenKind::Minus);
    consume();
  }
  if (tok.isNumber() || (!hasSign && tok.is(TokenKind::Identifier))) {
    arg.value = tok;
    consume();
    arg.valueRange = rangeFrom(start);
    return success();
  }
  return emitExpected(arg.name.empty() ? "an argument"
                                       : "a value for '" + arg.name + "'");
}

static std::string listParams(llvm::ArrayRef<ParamSpec> specs) {
  std::string result;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (i)
      result += ", ";
    result += specs[i].name;
  }
  return result;
}

LogicalResult Parser::bindArgs(const Call &call,
                               llvm::ArrayRef<ParamSpec> specs,
                               llvm::SmallVectorImpl<const Arg *> &bound) {
  bound.assign(specs.size(), nullptr);
  bool ok = true;
  bool seenNamed = false;
  size_t positional = 0;
  for (const Arg &arg : call.args) {
    size_t index;
    if (arg.name.empty()) {
      if (seenNamed) {
        diags.error(arg.valueRange, "positional argument after a named one "
                                    "in '" +
                                        call.callee + "'");
        ok = false;
        continue;
      }
      if (positional >= specs.size()) {
        diags.error(arg.valueRange, "too many arguments to '" + call.callee +
                                        "' (its "
                                        "arguments are " +
                                        listParams(specs) + ")");
        ok = false;
        continue;
      }
      index = positional++;
    } else {
      seenNamed = true;
      auto *it = llvm::find_if(
          specs, [&](const ParamSpec &spec) { return arg.name == spec.name; });
      if (it == specs.end()) {
        diags.error(arg.nameRange, "'" + call.callee + "' has no argument '" +
                                       arg.name + "' (its arguments are " +
                                       listParams(specs) + ")");
        ok = false;
        continue;
      }
      index = it - specs.begin();
      if (bound[index]) {
        diags.error(arg.nameRange, "argument '" + arg.name + "' of '" +
                                       call.callee + "' is given twice");
        ok = false;
        continue;
      }
    }
    bound[index] = &arg;
  }
  if (!ok)
    return failure();
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].required && !bound[i]) {
      diags.error(call.calleeRange, "'" + call.callee +
                                        "' is missing its argument '" +
                                        specs[i].name +
                                        "' (its arguments "
                                        "are " +
                                        listParams(specs) + ")");
      ok = false;
    }
  }
  return ok ? success() : failure();
}

LogicalResult Parser::getInt(const Call &call, const Arg *arg,
                             const ParamSpec &spec, Located<int64_t> &result) {
  if (!arg->value.is(TokenKind::Integer)) {
    diags.error(arg->valueRange, "argument '" + llvm::Twine(spec.name) +
                                     "' of '" + call.callee +
                                     "' must be an integer, found '" +
                                     arg->getValueText() + "'");
    return failure();
  }
  result = Located<int64_t>(arg->negative ? -arg->value.intValue
                                          : arg->value.intValue,
                            arg->valueRange);
  return success();
}

LogicalResult Parser::getFloat(const Call &call, const Arg *arg,
                               const ParamSpec &spec, Located<double> &result) {
  if (!arg->value.isNumber()) {
    diags.error(arg->valueRange,
                "argument '" + llvm::Twine(spec.name) + "' of '" + call.callee +
                    "' must be a number, found '" + arg->getValueText() + "'");
    return failure();
  }
  result = Located<double>(arg->negative ? -arg->value.floatValue
                                         : arg->value.floatValue,
                           arg->valueRange);
  return success();
}

LogicalResult Parser::getBool(const Call &call, const Arg *arg,
                              const ParamSpec &spec, Located<bool> &result) {
  if (arg->value.isIdentifier("true") || arg->value.isIdentifier("false")) {
    result = Located<bool>(arg->value.spelling == "true", arg->valueRange);
    return success();
  }
  diags.error(arg->valueRange, "argument '" + llvm::Twine(spec.name) +
                                   "' of '" + call.callee +
                                   "' must be true or false, found '" +
                                   arg->getValueText() + "'");
  return failure();
}

std::unique_ptr<ModelAST> aec::parseModel(unsigned bufferID,
                                          DiagnosticEngine &diags) {
  const llvm::MemoryBuffer *buffer =
      diags.getSourceMgr().getMemoryBuffer(bufferID);
  Parser parser(buffer->getBuffer(), diags);
  return parser.parse();
}
