//===- Parser.h - Recursive-descent parser for .ae --------------*- C++ -*-===//
//
// Parses one model file into a ModelAST. The grammar has a fixed nesting
// depth (model { block { layer(...) } }), so the parser never recurses on
// input structure; error recovery skips to the end of the statement or the
// closing brace (iteratively, whatever the nesting), so several errors are
// reported per run, up to the DiagnosticEngine's limit.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_FRONTEND_PARSER_H
#define AEC_FRONTEND_PARSER_H

#include "compiler/frontend/AST.h"
#include "compiler/frontend/Diagnostics.h"

#include <memory>

namespace aec {

/// Parses the buffer `bufferID` of the engine's SourceMgr. Returns null if
/// any error was reported (the partial tree is not useful to later stages).
std::unique_ptr<ModelAST> parseModel(unsigned bufferID,
                                     DiagnosticEngine &diags);

} // namespace aec

#endif // AEC_FRONTEND_PARSER_H
