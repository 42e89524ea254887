//===- ElfMerge.h - Merge relocatable ELF objects into one ------*- C++ -*-===//
//
// aec compiles the partitions of a large module on several threads, each to
// its own relocatable object, but must write ONE object file, without
// running a linker. This merges such objects the way `ld -r` would for the
// simple objects LLVM's ELF writer produces: sections of the same name,
// type and flags are concatenated (relocations and symbol values shifted by
// each piece's offset), local symbols are kept, and global symbols are
// unified by name (a definition replaces the undefined references of the
// other objects). A global with hidden visibility defined in one of the
// objects becomes a local symbol of the result, as `objcopy
// --localize-hidden` would make it: that is how the partitions share the
// functions that were internal to the module they came from.
//
// Only what aec's objects contain is supported: 64-bit little-endian
// ET_REL files with RELA relocations, PROGBITS / NOBITS / unwind /
// init-fini sections. Anything else (COMDAT groups, SHF_LINK_ORDER, notes,
// a symbol defined twice, ...) is an error, and the caller compiles the
// module as one partition instead.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_CODEGEN_ELFMERGE_H
#define AEC_CODEGEN_ELFMERGE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace aec {

/// Merges the relocatable ELF64LE objects `objects` (in this order) into
/// one relocatable object, written to `out`.
llvm::Error mergeRelocatableELF(llvm::ArrayRef<llvm::StringRef> objects,
                                llvm::SmallVectorImpl<char> &out);

} // namespace aec

#endif // AEC_CODEGEN_ELFMERGE_H
