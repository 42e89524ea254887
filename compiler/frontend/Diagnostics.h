//===- Diagnostics.h - Located diagnostics for .ae files --------*- C++ -*-===//
//
// Every error in a model file is printed as `file:line:col: error: message`,
// then the source line and a caret (with `~` under the range), through
// llvm::SourceMgr. The engine counts errors and stops reporting after a limit
// so that a garbage input cannot flood the terminal.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_FRONTEND_DIAGNOSTICS_H
#define AEC_FRONTEND_DIAGNOSTICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace aec {

class DiagnosticEngine {
public:
  /// Errors beyond `errorLimit` are dropped; the first dropped one prints a
  /// single "too many errors" line. 0 means no limit.
  explicit DiagnosticEngine(llvm::SourceMgr &sourceMgr,
                            llvm::raw_ostream &os = llvm::errs(),
                            unsigned errorLimit = 20);

  void error(llvm::SMLoc loc, const llvm::Twine &message,
             llvm::ArrayRef<llvm::SMRange> ranges = {});
  /// Error at the start of `range`, with `range` underlined.
  void error(llvm::SMRange range, const llvm::Twine &message);
  void warning(llvm::SMLoc loc, const llvm::Twine &message,
               llvm::ArrayRef<llvm::SMRange> ranges = {});
  /// A note belongs to the diagnostic before it and is dropped with it.
  void note(llvm::SMLoc loc, const llvm::Twine &message,
            llvm::ArrayRef<llvm::SMRange> ranges = {});

  /// Errors reported so far, deferred ones included.
  unsigned getNumErrors() const { return numErrors + numDeferredErrors; }
  bool hasErrors() const { return getNumErrors() != 0; }
  /// True once the error limit has been reached: callers should stop. The
  /// first call that returns true prints "too many errors".
  bool reachedErrorLimit();

  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

  /// While deferring, diagnostics are kept (each note with the diagnostic
  /// it belongs to) and printed by flushDeferred() sorted by location, so
  /// that checks run in any order still report in source order.
  void startDeferring() { deferring = true; }
  void flushDeferred();

private:
  void reportLimit();
  void emit(llvm::SourceMgr::DiagKind kind, llvm::SMLoc loc,
            const llvm::Twine &message, llvm::ArrayRef<llvm::SMRange> ranges);

  void print(llvm::SourceMgr::DiagKind kind, llvm::SMLoc loc,
             const llvm::Twine &message, llvm::ArrayRef<llvm::SMRange> ranges);

  struct Deferred {
    llvm::SourceMgr::DiagKind kind;
    llvm::SMLoc loc;
    std::string message;
    std::vector<llvm::SMRange> ranges;
  };

  llvm::SourceMgr &sourceMgr;
  bool deferring = false;
  unsigned numDeferredErrors = 0;
  /// Groups: a diagnostic followed by its notes.
  std::vector<std::vector<Deferred>> deferred;
  llvm::raw_ostream &os;
  unsigned errorLimit;
  unsigned numErrors = 0;
  bool lastDropped = false;
  bool limitReported = false;
};

} // namespace aec

#endif // AEC_FRONTEND_DIAGNOSTICS_H
