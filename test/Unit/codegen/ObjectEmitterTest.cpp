//===- ObjectEmitterTest.cpp - Partitioned codegen and the ELF merger -----===//

#include "compiler/codegen/ObjectEmitter.h"
#include "compiler/codegen/ElfMerge.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace mlir;

namespace {

// @caller calls the internal @leaf and reads @table: the three must be
// compiled together. @other and @third are independent of them.
constexpr const char *kModule = R"mlir(
module {
  llvm.mlir.global internal constant @table(dense<[1, 2, 3, 4]> : tensor<4xi32>) : !llvm.array<4 x i32>
  llvm.func internal @leaf(%a: i32) -> i32 {
    %c = llvm.mlir.constant(7 : i32) : i32
    %r = llvm.mul %a, %c : i32
    llvm.return %r : i32
  }
  llvm.func @caller(%a: i32) -> i32 {
    %t = llvm.mlir.addressof @table : !llvm.ptr
    %v = llvm.load %t : !llvm.ptr -> i32
    %r = llvm.call @leaf(%a) : (i32) -> i32
    %s = llvm.add %r, %v : i32
    llvm.return %s : i32
  }
  llvm.func @other(%a: f32, %b: f32) -> f32 {
    %r = llvm.fmul %a, %b : f32
    llvm.return %r : f32
  }
  llvm.func @external(i32) -> i32
  llvm.func @third(%a: i32) -> i32 {
    %r = llvm.call @external(%a) : (i32) -> i32
    %s = llvm.call @caller(%r) : (i32) -> i32
    llvm.return %s : i32
  }
  llvm.func @fourth(%a: f64) -> f64 {
    %r = llvm.fadd %a, %a : f64
    llvm.return %r : f64
  }
}
)mlir";

class ObjectEmitterTest : public ::testing::Test {
protected:
  ObjectEmitterTest() {
    DialectRegistry registry;
    aec::registerCodegenDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  OwningOpRef<ModuleOp> parse(llvm::StringRef source) {
    return parseSourceString<ModuleOp>(source, &context);
  }

  /// The object of `module` compiled with `threads` codegen threads.
  std::string compile(ModuleOp module, unsigned threads) {
    aec::CodegenOptions options;
    options.threads = threads;
    llvm::SmallString<0> object;
    llvm::raw_svector_ostream os(object);
    llvm::Error error = aec::emitObject(module, options, os);
    EXPECT_FALSE(error) << llvm::toString(std::move(error));
    return object.str().str();
  }

  MLIRContext context;
};

/// Defined symbols of an object: name -> (type, size). Undefined ones map
/// to "U".
std::map<std::string, std::string> symbolsOf(llvm::StringRef object) {
  std::map<std::string, std::string> result;
  auto file = llvm::object::ObjectFile::createELFObjectFile(
      llvm::MemoryBufferRef(object, "object"));
  EXPECT_TRUE(!!file) << llvm::toString(file.takeError());
  if (!file)
    return result;
  auto *elf = llvm::cast<llvm::object::ELFObjectFileBase>(file->get());
  for (const llvm::object::ELFSymbolRef &symbol : elf->symbols()) {
    auto name = symbol.getName();
    auto section = symbol.getSection();
    if (!name || !section || name->empty()) {
      llvm::consumeError(name.takeError());
      llvm::consumeError(section.takeError());
      continue;
    }
    bool defined = *section != elf->section_end();
    result[name->str()] = defined ? std::to_string(symbol.getELFType()) + ":" +
                                        std::to_string(symbol.getSize())
                                  : "U";
  }
  return result;
}

/// The message of mergeRelocatableELF's error on `objects` ("" if none).
std::string mergeError(llvm::ArrayRef<llvm::StringRef> objects) {
  llvm::SmallVector<char, 0> out;
  llvm::Error error = aec::mergeRelocatableELF(objects, out);
  EXPECT_TRUE(!!error);
  return error ? llvm::toString(std::move(error)) : std::string();
}

TEST_F(ObjectEmitterTest, PartitionsKeepCalleesAndGlobalsWithTheirUsers) {
  OwningOpRef<ModuleOp> module = parse(kModule);
  ASSERT_TRUE(module);
  auto parts = aec::partitionModule(*module, 2);
  ASSERT_EQ(parts.size(), 2u);
  // Every definition in exactly one partition; @third, @caller, @leaf and
  // @table in the same one; internal symbols never declared elsewhere.
  std::map<std::string, int> definedIn;
  for (auto [index, part] : llvm::enumerate(parts)) {
    for (Operation &op : part->getBody()->getOperations()) {
      std::string name = SymbolTable::getSymbolName(&op).str();
      auto func = dyn_cast<LLVM::LLVMFuncOp>(op);
      if (func && func.isExternal()) {
        EXPECT_NE(name, "leaf");
        continue;
      }
      EXPECT_EQ(definedIn.count(name), 0u) << name << " defined twice";
      definedIn[name] = index;
    }
  }
  EXPECT_EQ(definedIn.size(), 6u);
  EXPECT_EQ(definedIn["caller"], definedIn["leaf"]);
  EXPECT_EQ(definedIn["caller"], definedIn["table"]);
  EXPECT_EQ(definedIn["caller"], definedIn["third"]);
  // The largest group fills one partition, the two small ones the other.
  EXPECT_NE(definedIn["other"], definedIn["caller"]);
  EXPECT_EQ(definedIn["other"], definedIn["fourth"]);
}

TEST_F(ObjectEmitterTest, NoPartitionsForOneGroupOrOneThread) {
  OwningOpRef<ModuleOp> module = parse(kModule);
  ASSERT_TRUE(module);
  EXPECT_TRUE(aec::partitionModule(*module, 1).empty());
  OwningOpRef<ModuleOp> single = parse(R"mlir(
    module {
      llvm.func internal @leaf() { llvm.return }
      llvm.func @root() { llvm.call @leaf() : () -> () llvm.return }
    })mlir");
  ASSERT_TRUE(single);
  EXPECT_TRUE(aec::partitionModule(*single, 4).empty());
}

TEST_F(ObjectEmitterTest, ParallelObjectHasTheSameSymbols) {
  OwningOpRef<ModuleOp> module = parse(kModule);
  ASSERT_TRUE(module);
  std::string whole = compile(*module, 1);
  std::string merged = compile(*module, 3);
  auto wholeSymbols = symbolsOf(whole);
  auto mergedSymbols = symbolsOf(merged);
  EXPECT_EQ(wholeSymbols, mergedSymbols);
  EXPECT_EQ(mergedSymbols["external"], "U");
  EXPECT_NE(mergedSymbols.count("caller"), 0u);
  EXPECT_NE(whole, merged); // really merged: the order of functions differs
}

TEST_F(ObjectEmitterTest, MergerRejectsADuplicateDefinition) {
  OwningOpRef<ModuleOp> module = parse(kModule);
  ASSERT_TRUE(module);
  std::string object = compile(*module, 1);
  EXPECT_NE(mergeError({object, object}).find("defined twice"),
            std::string::npos);
}

TEST_F(ObjectEmitterTest, UnmergeableSectionsFallBackToOnePartition) {
  // A note section (SHT_NOTE) is not one the merger knows: the partitions'
  // objects do not merge, and emitObject compiles the module whole.
  OwningOpRef<ModuleOp> module = parse(R"mlir(
    module {
      llvm.mlir.global external constant @note(dense<[1, 2]> : tensor<2xi32>) {section = ".note.aec"} : !llvm.array<2 x i32>
      llvm.func @a(%x: i32) -> i32 { llvm.return %x : i32 }
      llvm.func @b(%x: f32) -> f32 { llvm.return %x : f32 }
    })mlir");
  ASSERT_TRUE(module);
  auto parts = aec::partitionModule(*module, 2);
  ASSERT_EQ(parts.size(), 2u);
  std::string first = compile(*parts[0], 1);
  std::string second = compile(*parts[1], 1);
  EXPECT_NE(mergeError({first, second}).find("section type"),
            std::string::npos);

  std::string parallel = compile(*module, 2);
  EXPECT_EQ(parallel, compile(*module, 1));
}

} // namespace
