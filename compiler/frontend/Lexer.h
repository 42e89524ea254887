//===- Lexer.h - Tokens of the .ae language ---------------------*- C++ -*-===//
//
// A hand-written lexer over one llvm::SourceMgr buffer. Newlines are tokens
// (they separate statements) except inside `(...)` and `[...]`, where a
// statement may span lines. Keywords are contextual: they are identifiers
// that the parser compares by spelling.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_FRONTEND_LEXER_H
#define AEC_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <string>

namespace aec {

class DiagnosticEngine;

enum class TokenKind {
  Eof,
  /// A lexical error, already reported.
  Error,
  Newline,
  Identifier,
  Integer,
  Float,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Semicolon,
  Equal,
  Plus,
  Minus,
  Star,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  /// The token's text in the source buffer (empty at end of file).
  llvm::StringRef spelling;
  /// Integer: the value. Float: unused.
  int64_t intValue = 0;
  /// Integer and Float: the value as a double.
  double floatValue = 0.0;

  bool is(TokenKind k) const { return kind == k; }
  bool isIdentifier(llvm::StringRef name) const {
    return kind == TokenKind::Identifier && spelling == name;
  }
  bool isNumber() const {
    return kind == TokenKind::Integer || kind == TokenKind::Float;
  }
  llvm::SMLoc getLoc() const {
    return llvm::SMLoc::getFromPointer(spelling.data());
  }
  llvm::SMLoc getEndLoc() const {
    return llvm::SMLoc::getFromPointer(spelling.data() + spelling.size());
  }
  llvm::SMRange getRange() const { return {getLoc(), getEndLoc()}; }
};

/// How a token is named in "expected X, found Y" messages.
std::string describeToken(const Token &token);

/// Decodes one UTF-8 sequence at the start of `bytes` (non-empty). Returns
/// its length (1-4) and sets `codePoint`, or returns 0 if the bytes are not
/// well-formed UTF-8 (overlong forms, surrogates and values above U+10FFFF
/// are rejected).
size_t decodeUTF8(llvm::StringRef bytes, uint32_t &codePoint);

class Lexer {
public:
  /// Lexes `buffer`, which must stay alive (and be owned by the SourceMgr of
  /// `diags` for located errors).
  Lexer(llvm::StringRef buffer, DiagnosticEngine &diags);

  /// Checks that the whole buffer is text: well-formed UTF-8 without NUL or
  /// control characters other than tab, newline, carriage return, form feed
  /// and vertical tab. Reports the first offending byte and returns false.
  /// A binary file thus gets one error, not one per byte.
  bool validateText();

  /// Returns the next token. Lexical errors are reported and returned as
  /// TokenKind::Error; lexing continues after them.
  Token lex();

  /// The location just past the last byte of the buffer.
  llvm::SMLoc getEofLoc() const {
    return llvm::SMLoc::getFromPointer(buffer.end());
  }

private:
  Token make(TokenKind kind, const char *start);
  Token lexNumber(const char *start);
  Token lexIdentifier(const char *start);
  Token lexInvalid(const char *start);
  void skipComment();

  llvm::StringRef buffer;
  DiagnosticEngine &diags;
  const char *cur;
  /// Open `(` and `[` in the current statement. Newlines inside them are
  /// not statement separators. Braces and `;` reset it, so that an unclosed
  /// paren cannot swallow the rest of the file.
  unsigned groupDepth = 0;
};

} // namespace aec

#endif // AEC_FRONTEND_LEXER_H
