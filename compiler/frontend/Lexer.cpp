//===- Lexer.cpp - Tokens of the .ae language -----------------------------===//

#include "compiler/frontend/Lexer.h"

#include "compiler/frontend/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

using namespace aec;

size_t aec::decodeUTF8(llvm::StringRef bytes, uint32_t &codePoint) {
  if (bytes.empty())
    return 0;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  unsigned char lead = byte(0);
  size_t length;
  uint32_t value, minValue;
  if (lead < 0x80) {
    codePoint = lead;
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
    minValue = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
    minValue = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
    minValue = 0x10000;
  } else {
    return 0;
  }
  if (bytes.size() < length)
    return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80)
      return 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < minValue || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF))
    return 0;
  codePoint = value;
  return length;
}

/// 'text', shortened if long.
static std::string quote(llvm::StringRef text) {
  if (text.size() > 32)
    return "'" + text.take_front(29).str() + "...'";
  return "'" + text.str() + "'";
}

std::string aec::describeToken(const Token &token) {
  switch (token.kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Newline:
    return "end of line";
  case TokenKind::Error:
    return "an invalid token";
  default:
    break;
  }
  return quote(token.spelling);
}

Lexer::Lexer(llvm::StringRef buffer, DiagnosticEngine &diags)
    : buffer(buffer), diags(diags), cur(buffer.begin()) {
  // A UTF-8 byte order mark is not part of the text.
  if (buffer.starts_with("\xEF\xBB\xBF"))
    cur += 3;
}

static bool isAllowedControl(unsigned char c) {
  return c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool Lexer::validateText() {
  for (const char *p = buffer.begin(), *end = buffer.end(); p != end;) {
    unsigned char c = *p;
    llvm::SMLoc loc = llvm::SMLoc::getFromPointer(p);
    if (c < 0x80) {
      if (c == 0) {
        diags.error(loc, "invalid byte 0x00 (NUL): a model file must be "
                         "UTF-8 text");
        return false;
      }
      if ((c < 0x20 && !isAllowedControl(c)) || c == 0x7F) {
        diags.error(loc, "invalid control character 0x" +
                             llvm::utohexstr(c, /*LowerCase=*/false, 2) +
                             ": a model file must be UTF-8 text");
        return false;
      }
      ++p;
      continue;
    }
    uint32_t codePoint;
    size_t length = decodeUTF8(llvm::StringRef(p, end - p), codePoint);
    if (length == 0) {
      diags.error(loc, "invalid UTF-8 byte 0x" +
                           llvm::utohexstr(c, /*LowerCase=*/false, 2) +
                           ": a model file must be UTF-8 text");
      return false;
    }
    p += length;
  }
  return true;
}

Token Lexer::make(TokenKind kind, const char *start) {
  Token token;
  token.kind = kind;
  token.spelling = llvm::StringRef(start, cur - start);
  return token;
}

void Lexer::skipComment() {
  while (cur != buffer.end() && *cur != '\n' && *cur != '\r')
    ++cur;
}

static bool isIdentifierStart(char c) { return llvm::isAlpha(c) || c == '_'; }
static bool isIdentifierChar(char c) { return llvm::isAlnum(c) || c == '_'; }

Token Lexer::lex() {
  const char *end = buffer.end();
  while (true) {
    if (cur == end)
      return make(TokenKind::Eof, cur);
    const char *start = cur;
    char c = *cur++;
    switch (c) {
    case ' ':
    case '\t':
    case '\f':
    case '\v':
      continue;
    case '#':
      skipComment();
      continue;
    case '\r':
    case '\n':
      if (c == '\r' && cur != end && *cur == '\n')
        ++cur;
      if (groupDepth != 0)
        continue;
      return make(TokenKind::Newline, start);
    case '{':
      groupDepth = 0;
      return make(TokenKind::LBrace, start);
    case '}':
      groupDepth = 0;
      return make(TokenKind::RBrace, start);
    case ';':
      groupDepth = 0;
      return make(TokenKind::Semicolon, start);
    case '(':
      ++groupDepth;
      return make(TokenKind::LParen, start);
    case '[':
      ++groupDepth;
      return make(TokenKind::LBracket, start);
    case ')':
      if (groupDepth)
        --groupDepth;
      return make(TokenKind::RParen, start);
    case ']':
      if (groupDepth)
        --groupDepth;
      return make(TokenKind::RBracket, start);
    case ',':
      return make(TokenKind::Comma, start);
    case '=':
      return make(TokenKind::Equal, start);
    case '+':
      return make(TokenKind::Plus, start);
    case '-':
      return make(TokenKind::Minus, start);
    case '*':
      return make(TokenKind::Star, start);
    default:
      break;
    }
    if (llvm::isDigit(c) || (c == '.' && cur != end && llvm::isDigit(*cur)))
      return lexNumber(start);
    if (isIdentifierStart(c))
      return lexIdentifier(start);
    return lexInvalid(start);
  }
}

Token Lexer::lexIdentifier(const char *start) {
  while (cur != buffer.end() && isIdentifierChar(*cur))
    ++cur;
  return make(TokenKind::Identifier, start);
}

Token Lexer::lexInvalid(const char *start) {
  cur = start;
  uint32_t codePoint = static_cast<unsigned char>(*start);
  size_t length =
      decodeUTF8(llvm::StringRef(cur, buffer.end() - cur), codePoint);
  // validateText() guarantees well-formed UTF-8; stay safe regardless.
  cur += length ? length : 1;
  Token token = make(TokenKind::Error, start);
  std::string shown;
  if (codePoint >= 0x20 && codePoint != 0x7F && length != 0)
    shown = "'" + token.spelling.str() + "' ";
  diags.error(token.getRange(),
              "unexpected character " + shown + "(U+" +
                  llvm::utohexstr(codePoint, /*LowerCase=*/false, 4) + ")" +
                  (codePoint >= 0x80 ? "; non-ASCII text is only allowed in "
                                       "comments"
                                     : ""));
  return token;
}

Token Lexer::lexNumber(const char *start) {
  const char *end = buffer.end();
  cur = start;
  bool isFloat = false;
  while (cur != end && llvm::isDigit(*cur))
    ++cur;
  if (cur != end && *cur == '.') {
    isFloat = true;
    ++cur;
    while (cur != end && llvm::isDigit(*cur))
      ++cur;
  }
  if (cur != end && (*cur == 'e' || *cur == 'E')) {
    const char *exponent = cur + 1;
    if (exponent != end && (*exponent == '+' || *exponent == '-'))
      ++exponent;
    if (exponent != end && llvm::isDigit(*exponent)) {
      isFloat = true;
      cur = exponent;
      while (cur != end && llvm::isDigit(*cur))
        ++cur;
    }
  }
  // Something glued to the number ("3x", "1.2.3", "1e") is one bad token.
  if (cur != end && (isIdentifierChar(*cur) || *cur == '.')) {
    while (cur != end && (isIdentifierChar(*cur) || *cur == '.'))
      ++cur;
    Token token = make(TokenKind::Error, start);
    diags.error(token.getRange(), "invalid number " + quote(token.spelling));
    return token;
  }

  Token token = make(isFloat ? TokenKind::Float : TokenKind::Integer, start);
  if (!isFloat) {
    uint64_t value;
    if (token.spelling.getAsInteger(10, value) ||
        value > static_cast<uint64_t>(INT64_MAX)) {
      diags.error(token.getRange(),
                  "integer " + quote(token.spelling) +
                      " is too large (does not fit in 64 bits)");
      token.kind = TokenKind::Error;
      return token;
    }
    token.intValue = static_cast<int64_t>(value);
    token.floatValue = static_cast<double>(value);
    return token;
  }

  std::string text = token.spelling.str();
  errno = 0;
  double value = std::strtod(text.c_str(), nullptr);
  if (std::isinf(value)) {
    diags.error(token.getRange(), "number " + quote(token.spelling) +
                                      " is too large for a 64-bit float");
    token.kind = TokenKind::Error;
    return token;
  }
  bool hasNonZeroDigit = false;
  for (char digit : token.spelling) {
    if (digit == 'e' || digit == 'E')
      break;
    if (digit >= '1' && digit <= '9')
      hasNonZeroDigit = true;
  }
  if (value == 0.0 && hasNonZeroDigit) {
    diags.error(token.getRange(), "number " + quote(token.spelling) +
                                      " is too small for a 64-bit float "
                                      "(it would be 0)");
    token.kind = TokenKind::Error;
    return token;
  }
  token.floatValue = value;
  return token;
}
