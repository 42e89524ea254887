//===- Diagnostics.cpp - Located diagnostics for .ae files ----------------===//

#include "compiler/frontend/Diagnostics.h"

#include "compiler/frontend/Lexer.h"

#include <algorithm>
#include <string>

using namespace aec;

DiagnosticEngine::DiagnosticEngine(llvm::SourceMgr &sourceMgr,
                                   llvm::raw_ostream &os, unsigned errorLimit)
    : sourceMgr(sourceMgr), os(os), errorLimit(errorLimit) {}

namespace {
/// The source line as it is echoed under a message. llvm::SMDiagnostic
/// drops the caret line of any line with non-ASCII bytes, and control
/// characters or invalid UTF-8 would corrupt a terminal or a log, so every
/// character outside printable ASCII (one UTF-8 sequence, or one bad byte)
/// is shown as a single '?'; byte columns are mapped to display columns.
/// A long line is shown as a window around the caret.
class DisplayLine {
public:
  DisplayLine(llvm::StringRef line, unsigned byteColumn) {
    columnOf.reserve(line.size() + 1);
    std::string full;
    size_t i = 0;
    while (i < line.size()) {
      size_t length = 1;
      unsigned char c = line[i];
      if (c >= 0x80) {
        uint32_t codePoint;
        length = std::max<size_t>(1, decodeUTF8(line.drop_front(i), codePoint));
      }
      for (size_t j = 0; j < length && i + j < line.size(); ++j)
        columnOf.push_back(full.size());
      full.push_back(c == '\t' || (c >= 0x20 && c < 0x7f) ? static_cast<char>(c)
                                                          : '?');
      i += length;
    }
    columnOf.push_back(full.size());

    constexpr size_t kContextBefore = 60, kWidth = 160;
    size_t caret = map(byteColumn, /*windowed=*/false);
    if (caret > kContextBefore + 20) {
      windowStart = caret - kContextBefore;
      text = "..." + full.substr(windowStart);
      prefixWidth = 3;
    } else {
      text = full;
    }
    if (text.size() > kWidth + prefixWidth) {
      text.resize(kWidth + prefixWidth);
      text += "...";
    }
  }

  /// The display column of byte column `byteColumn`, in the shown text.
  unsigned map(unsigned byteColumn, bool windowed = true) const {
    size_t column = columnOf[std::min<size_t>(byteColumn, columnOf.size() - 1)];
    if (!windowed)
      return column;
    if (column < windowStart)
      return 0;
    return std::min(column - windowStart + prefixWidth, text.size());
  }

  const std::string &getText() const { return text; }

private:
  std::string text;
  /// Display column of each byte offset (size = line size + 1).
  std::vector<unsigned> columnOf;
  size_t windowStart = 0;
  size_t prefixWidth = 0;
};
} // namespace

void DiagnosticEngine::emit(llvm::SourceMgr::DiagKind kind, llvm::SMLoc loc,
                            const llvm::Twine &message,
                            llvm::ArrayRef<llvm::SMRange> ranges) {
  if (deferring) {
    Deferred diag{kind, loc, message.str(), {ranges.begin(), ranges.end()}};
    if (kind == llvm::SourceMgr::DK_Error)
      ++numDeferredErrors;
    if (kind == llvm::SourceMgr::DK_Note && !deferred.empty())
      deferred.back().push_back(std::move(diag));
    else
      deferred.push_back({std::move(diag)});
    return;
  }
  print(kind, loc, message, ranges);
}

void DiagnosticEngine::flushDeferred() {
  deferring = false;
  numDeferredErrors = 0;
  std::stable_sort(
      deferred.begin(), deferred.end(), [](const auto &a, const auto &b) {
        return a.front().loc.getPointer() < b.front().loc.getPointer();
      });
  for (const auto &group : deferred)
    for (const Deferred &diag : group)
      print(diag.kind, diag.loc, diag.message, diag.ranges);
  deferred.clear();
}

void DiagnosticEngine::print(llvm::SourceMgr::DiagKind kind, llvm::SMLoc loc,
                             const llvm::Twine &message,
                             llvm::ArrayRef<llvm::SMRange> ranges) {
  if (kind == llvm::SourceMgr::DK_Note) {
    if (lastDropped)
      return;
  } else if (kind == llvm::SourceMgr::DK_Error) {
    if (reachedErrorLimit()) {
      lastDropped = true;
      return;
    }
    ++numErrors;
  }
  lastDropped = false;

  llvm::SMDiagnostic diag = sourceMgr.GetMessage(loc, kind, message, ranges);
  if (!loc.isValid()) {
    sourceMgr.PrintMessage(os, diag, os.has_colors());
    return;
  }
  DisplayLine line(diag.getLineContents(),
                   diag.getColumnNo() > 0 ? diag.getColumnNo() : 0);
  std::vector<std::pair<unsigned, unsigned>> lineRanges;
  for (const auto &range : diag.getRanges())
    lineRanges.emplace_back(line.map(range.first), line.map(range.second));
  llvm::SMDiagnostic clean(sourceMgr, diag.getLoc(), diag.getFilename(),
                           diag.getLineNo(), line.map(diag.getColumnNo()), kind,
                           diag.getMessage(), line.getText(), lineRanges);
  // The location keeps the byte column; only the caret uses the display
  // column.
  bool colors = os.has_colors();
  if (colors)
    os.changeColor(llvm::raw_ostream::SAVEDCOLOR, /*Bold=*/true);
  os << diag.getFilename() << ':' << diag.getLineNo() << ':'
     << diag.getColumnNo() + 1 << ": ";
  if (colors)
    os.resetColor();
  clean.print(nullptr, os, colors, /*ShowKindLabel=*/true,
              /*ShowLocation=*/false);
}

bool DiagnosticEngine::reachedErrorLimit() {
  if (errorLimit == 0 || numErrors < errorLimit)
    return false;
  if (!limitReported) {
    limitReported = true;
    os << "aec: error: too many errors (" << errorLimit << "), stopping now\n";
  }
  return true;
}

void DiagnosticEngine::error(llvm::SMLoc loc, const llvm::Twine &message,
                             llvm::ArrayRef<llvm::SMRange> ranges) {
  emit(llvm::SourceMgr::DK_Error, loc, message, ranges);
}

void DiagnosticEngine::error(llvm::SMRange range, const llvm::Twine &message) {
  emit(llvm::SourceMgr::DK_Error, range.Start, message, {range});
}

void DiagnosticEngine::warning(llvm::SMLoc loc, const llvm::Twine &message,
                               llvm::ArrayRef<llvm::SMRange> ranges) {
  emit(llvm::SourceMgr::DK_Warning, loc, message, ranges);
}

void DiagnosticEngine::note(llvm::SMLoc loc, const llvm::Twine &message,
                            llvm::ArrayRef<llvm::SMRange> ranges) {
  emit(llvm::SourceMgr::DK_Note, loc, message, ranges);
}
