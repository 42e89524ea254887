//===- LexerTest.cpp - Unit tests of the .ae lexer ------------------------===//

#include "compiler/frontend/Lexer.h"
#include "compiler/frontend/Diagnostics.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace aec;

namespace {

/// Lexes a whole buffer, keeping the diagnostics text.
class LexerTest : public ::testing::Test {
protected:
  /// Lexes `text` to the end; returns the tokens without the final Eof.
  std::vector<Token> lexAll(llvm::StringRef text, bool validate = false) {
    buffer = text.str();
    sourceMgr = std::make_unique<llvm::SourceMgr>();
    sourceMgr->AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBuffer(buffer, "test.ae",
                                         /*RequiresNullTerminator=*/false),
        llvm::SMLoc());
    diagText.clear();
    diagStream = std::make_unique<llvm::raw_string_ostream>(diagText);
    diags = std::make_unique<DiagnosticEngine>(*sourceMgr, *diagStream);
    lexer = std::make_unique<Lexer>(sourceMgr->getMemoryBuffer(1)->getBuffer(),
                                    *diags);
    std::vector<Token> tokens;
    // As in the parser: text that fails validation is not lexed.
    if (validate && !(validateResult = lexer->validateText()))
      return tokens;
    // A bound on the loop: the lexer must make progress on every call.
    for (size_t i = 0; i <= text.size() + 1; ++i) {
      Token token = lexer->lex();
      if (token.is(TokenKind::Eof))
        return tokens;
      tokens.push_back(token);
    }
    ADD_FAILURE() << "lexer did not reach the end of the buffer";
    return tokens;
  }

  std::vector<TokenKind> kinds(llvm::StringRef text) {
    std::vector<TokenKind> result;
    for (const Token &token : lexAll(text))
      result.push_back(token.kind);
    return result;
  }

  /// Byte offset of a token in the buffer.
  size_t offsetOf(const Token &token) const {
    return token.spelling.data() -
           sourceMgr->getMemoryBuffer(1)->getBufferStart();
  }

  std::string buffer;
  std::unique_ptr<llvm::SourceMgr> sourceMgr;
  std::string diagText;
  std::unique_ptr<llvm::raw_string_ostream> diagStream;
  std::unique_ptr<DiagnosticEngine> diags;
  std::unique_ptr<Lexer> lexer;
  bool validateResult = false;
};

using K = TokenKind;

TEST_F(LexerTest, Punctuation) {
  EXPECT_EQ(kinds("{ } [ ] ( ) , ; = + - *"),
            (std::vector<K>{K::LBrace, K::RBrace, K::LBracket, K::RBracket,
                            K::LParen, K::RParen, K::Comma, K::Semicolon,
                            K::Equal, K::Plus, K::Minus, K::Star}));
  EXPECT_TRUE(diagText.empty()) << diagText;
}

TEST_F(LexerTest, StatementTokensAndSpellings) {
  auto tokens = lexAll("  conv(16, k=3) relu\n");
  ASSERT_EQ(tokens.size(), 10u);
  EXPECT_TRUE(tokens[0].isIdentifier("conv"));
  EXPECT_EQ(offsetOf(tokens[0]), 2u);
  EXPECT_TRUE(tokens[1].is(K::LParen));
  EXPECT_TRUE(tokens[2].is(K::Integer));
  EXPECT_EQ(tokens[2].intValue, 16);
  EXPECT_EQ(tokens[2].spelling, "16");
  EXPECT_TRUE(tokens[3].is(K::Comma));
  EXPECT_TRUE(tokens[4].isIdentifier("k"));
  EXPECT_TRUE(tokens[5].is(K::Equal));
  EXPECT_EQ(tokens[6].intValue, 3);
  EXPECT_TRUE(tokens[7].is(K::RParen));
  EXPECT_TRUE(tokens[8].isIdentifier("relu"));
  EXPECT_TRUE(tokens[9].is(K::Newline));
  EXPECT_EQ(offsetOf(tokens[9]), 20u);
}

TEST_F(LexerTest, IdentifiersWithUnderscoresAndDigits) {
  auto tokens = lexAll("leaky_relu _x mnist_vae2");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_TRUE(tokens[0].isIdentifier("leaky_relu"));
  EXPECT_TRUE(tokens[1].isIdentifier("_x"));
  EXPECT_TRUE(tokens[2].isIdentifier("mnist_vae2"));
}

TEST_F(LexerTest, NewlinesSeparateStatementsOutsideGroups) {
  EXPECT_EQ(
      kinds("a\nb\r\nc\rd"),
      (std::vector<K>{K::Identifier, K::Newline, K::Identifier, K::Newline,
                      K::Identifier, K::Newline, K::Identifier}));
  // Inside (...) and [...] a statement may span lines.
  EXPECT_EQ(kinds("f(1,\n 2)\n[3,\n4]\n"),
            (std::vector<K>{K::Identifier, K::LParen, K::Integer, K::Comma,
                            K::Integer, K::RParen, K::Newline, K::LBracket,
                            K::Integer, K::Comma, K::Integer, K::RBracket,
                            K::Newline}));
}

TEST_F(LexerTest, BracesAndSemicolonsResetAnUnclosedGroup) {
  // `dense(10` never closes; the `}` ends the group so that later newlines
  // separate statements again.
  EXPECT_EQ(kinds("d(10 }\nx\n"),
            (std::vector<K>{K::Identifier, K::LParen, K::Integer, K::RBrace,
                            K::Newline, K::Identifier, K::Newline}));
  EXPECT_EQ(kinds("d(10 ;\nx"),
            (std::vector<K>{K::Identifier, K::LParen, K::Integer, K::Semicolon,
                            K::Newline, K::Identifier}));
  // A stray `)` does not make the depth negative.
  EXPECT_EQ(kinds(")\nx"),
            (std::vector<K>{K::RParen, K::Newline, K::Identifier}));
}

TEST_F(LexerTest, CommentsRunToTheEndOfTheLine) {
  EXPECT_EQ(kinds("a # comment { ( [ é 🙂\nb#c"),
            (std::vector<K>{K::Identifier, K::Newline, K::Identifier}));
  EXPECT_TRUE(diagText.empty()) << diagText;
}

TEST_F(LexerTest, IntegerValues) {
  auto tokens = lexAll("0 007 784 9223372036854775807");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].intValue, 0);
  EXPECT_EQ(tokens[1].intValue, 7);
  EXPECT_EQ(tokens[2].intValue, 784);
  EXPECT_EQ(tokens[2].floatValue, 784.0);
  EXPECT_EQ(tokens[3].intValue, INT64_MAX);
  for (const Token &token : tokens)
    EXPECT_TRUE(token.is(K::Integer));
}

TEST_F(LexerTest, FloatForms) {
  auto tokens = lexAll("1e-3 0.9 .5 1. 2E+2 3e0 1.5e-8");
  std::vector<double> expected = {1e-3, 0.9, 0.5, 1.0, 200.0, 3.0, 1.5e-8};
  ASSERT_EQ(tokens.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(tokens[i].is(K::Float)) << i;
    EXPECT_DOUBLE_EQ(tokens[i].floatValue, expected[i]) << i;
  }
  EXPECT_TRUE(diagText.empty()) << diagText;
}

TEST_F(LexerTest, SignsAreSeparateTokens) {
  auto tokens = lexAll("-1e-3 +2");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_TRUE(tokens[0].is(K::Minus));
  EXPECT_TRUE(tokens[1].is(K::Float));
  EXPECT_TRUE(tokens[2].is(K::Plus));
  EXPECT_TRUE(tokens[3].is(K::Integer));
}

TEST_F(LexerTest, IntegerOverflowIsALocatedError) {
  auto tokens = lexAll("x 9223372036854775808");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_TRUE(tokens[1].is(K::Error));
  EXPECT_EQ(diags->getNumErrors(), 1u);
  EXPECT_NE(diagText.find("test.ae:1:3: error: integer "
                          "'9223372036854775808' is too large"),
            std::string::npos)
      << diagText;
  lexAll("123456789012345678901234567890");
  EXPECT_NE(diagText.find("is too large (does not fit in 64 bits)"),
            std::string::npos)
      << diagText;
}

TEST_F(LexerTest, FloatOverflowAndUnderflowAreErrors) {
  auto tokens = lexAll("1e400");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(tokens[0].is(K::Error));
  EXPECT_NE(diagText.find("1:1: error: number '1e400' is too large for a "
                          "64-bit float"),
            std::string::npos)
      << diagText;
  tokens = lexAll("1e-400");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(tokens[0].is(K::Error));
  EXPECT_NE(diagText.find("is too small for a 64-bit float"), std::string::npos)
      << diagText;
  // Zero written as zero is fine.
  tokens = lexAll("0.0 0e-999");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_TRUE(tokens[0].is(K::Float));
  EXPECT_TRUE(tokens[1].is(K::Float));
  EXPECT_TRUE(diagText.empty()) << diagText;
}

TEST_F(LexerTest, MalformedNumbersAreOneErrorToken) {
  for (const char *text : {"3x", "1.2.3", "1e", "2.5e", "7_", "1.e5e"}) {
    auto tokens = lexAll(text);
    ASSERT_EQ(tokens.size(), 1u) << text;
    EXPECT_TRUE(tokens[0].is(K::Error)) << text;
    EXPECT_EQ(tokens[0].spelling, text);
    EXPECT_NE(diagText.find("invalid number '" + std::string(text) + "'"),
              std::string::npos)
        << diagText;
  }
}

TEST_F(LexerTest, UnexpectedCharacters) {
  auto tokens = lexAll("a @ b");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_TRUE(tokens[1].is(K::Error));
  EXPECT_NE(diagText.find("1:3: error: unexpected character '@' (U+0040)"),
            std::string::npos)
      << diagText;
  // Non-ASCII outside a comment: one token per character, named by its
  // code point.
  tokens = lexAll("x é");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].spelling, "é");
  EXPECT_NE(diagText.find("unexpected character 'é' (U+00E9)"),
            std::string::npos)
      << diagText;
}

TEST_F(LexerTest, EofIsStickyAndLocatedAtTheEnd) {
  lexAll("ab");
  EXPECT_TRUE(lexer->lex().is(K::Eof));
  Token eof = lexer->lex();
  EXPECT_TRUE(eof.is(K::Eof));
  EXPECT_EQ(eof.getLoc().getPointer(), lexer->getEofLoc().getPointer());
  EXPECT_TRUE(lexAll("").empty());
}

TEST_F(LexerTest, ByteOrderMarkIsSkipped) {
  auto tokens = lexAll("\xEF\xBB\xBFmodel");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(tokens[0].isIdentifier("model"));
}

TEST_F(LexerTest, ValidateTextAcceptsUTF8Text) {
  lexAll("model m { # café ∑ 🙂\n\t\f\v\r\n}", /*validate=*/true);
  EXPECT_TRUE(validateResult);
  EXPECT_TRUE(diagText.empty()) << diagText;
}

TEST_F(LexerTest, ValidateTextReportsTheFirstBadByteOnly) {
  struct Case {
    std::string text;
    const char *message;
  } cases[] = {
      {std::string("ab\0cd\0", 6), "1:3: error: invalid byte 0x00 (NUL)"},
      {"x\n y\xFF\xFE", "2:3: error: invalid UTF-8 byte 0xFF"},
      {"\xC0\xAF", "1:1: error: invalid UTF-8 byte 0xC0"},         // overlong
      {"a\xED\xA0\x80", "1:2: error: invalid UTF-8 byte 0xED"},    // surrogate
      {"\xF4\x90\x80\x80", "1:1: error: invalid UTF-8 byte 0xF4"}, // > 10FFFF
      {"caf\xC3", "1:4: error: invalid UTF-8 byte 0xC3"},          // truncated
      {"\x80", "1:1: error: invalid UTF-8 byte 0x80"},             // lone tail
      {"a\x01", "1:2: error: invalid control character 0x01"},
      {"a\x7F", "1:2: error: invalid control character 0x7F"},
  };
  for (const Case &c : cases) {
    lexAll(c.text, /*validate=*/true);
    EXPECT_FALSE(validateResult) << c.message;
    EXPECT_EQ(diags->getNumErrors(), 1u) << diagText;
    EXPECT_NE(diagText.find(c.message), std::string::npos)
        << "expected: " << c.message << "\ngot: " << diagText;
  }
}

TEST(DecodeUTF8Test, WellFormedAndMalformedSequences) {
  uint32_t codePoint = 0;
  EXPECT_EQ(decodeUTF8("A", codePoint), 1u);
  EXPECT_EQ(codePoint, 0x41u);
  EXPECT_EQ(decodeUTF8("\xC3\xA9", codePoint), 2u);
  EXPECT_EQ(codePoint, 0xE9u);
  EXPECT_EQ(decodeUTF8("\xE2\x88\x91", codePoint), 3u);
  EXPECT_EQ(codePoint, 0x2211u);
  EXPECT_EQ(decodeUTF8("\xF0\x9F\x99\x82", codePoint), 4u);
  EXPECT_EQ(codePoint, 0x1F642u);
  EXPECT_EQ(decodeUTF8("\xF4\x8F\xBF\xBF", codePoint), 4u);
  EXPECT_EQ(codePoint, 0x10FFFFu);

  EXPECT_EQ(decodeUTF8("", codePoint), 0u);
  EXPECT_EQ(decodeUTF8("\x80", codePoint), 0u);
  EXPECT_EQ(decodeUTF8("\xC1\xBF", codePoint), 0u);         // overlong
  EXPECT_EQ(decodeUTF8("\xE0\x80\xAF", codePoint), 0u);     // overlong
  EXPECT_EQ(decodeUTF8("\xED\xBF\xBF", codePoint), 0u);     // surrogate
  EXPECT_EQ(decodeUTF8("\xF4\x90\x80\x80", codePoint), 0u); // too large
  EXPECT_EQ(decodeUTF8("\xF5\x80\x80\x80", codePoint), 0u);
  EXPECT_EQ(decodeUTF8("\xE2\x88", codePoint), 0u); // truncated
  EXPECT_EQ(decodeUTF8("\xC3\x41", codePoint), 0u); // bad continuation
}

TEST(DescribeTokenTest, Names) {
  Token token;
  token.kind = TokenKind::Eof;
  EXPECT_EQ(describeToken(token), "end of file");
  token.kind = TokenKind::Newline;
  token.spelling = "\n";
  EXPECT_EQ(describeToken(token), "end of line");
  token.kind = TokenKind::Identifier;
  token.spelling = "relu";
  EXPECT_EQ(describeToken(token), "'relu'");
  std::string longName(100, 'x');
  token.spelling = longName;
  EXPECT_EQ(describeToken(token), "'" + std::string(29, 'x') + "...'");
}

} // namespace
