//===- ElfMerge.cpp - Merge relocatable ELF objects into one --------------===//

#include "compiler/codegen/ElfMerge.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace aec {
namespace {

using ELFT = llvm::object::ELF64LE;
using Ehdr = ELFT::Ehdr;
using Shdr = ELFT::Shdr;
using Sym = ELFT::Sym;
using Rela = ELFT::Rela;

/// Symbol numbers of relocations until the output table is laid out:
/// positions in `locals`, or in `globals` with this bit set.
constexpr uint32_t kGlobalMark = 0x40000000u;
constexpr uint32_t kNoSymbol = 0x3fffffffu;

/// Sets the symbol of an ELF64 relocation, keeping its (32-bit) type.
void setSymbol(Rela &rela, uint32_t symbol) {
  uint64_t info = rela.r_info;
  rela.r_info = (static_cast<uint64_t>(symbol) << 32) | (info & 0xffffffffu);
}

llvm::Error unsupported(const llvm::Twine &what) {
  return llvm::createStringError("cannot merge objects: " + what);
}

/// A section of the output: the concatenation of the input sections with
/// its name, type and flags.
struct OutSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t entsize = 0;
  uint64_t align = 1;
  uint64_t size = 0;
  std::vector<uint8_t> data; // empty for SHT_NOBITS
  std::vector<Rela> relas;
  /// Its STT_SECTION symbol in the output (0: none yet).
  uint32_t sectionSymbol = 0;
};

/// Where an input section went.
struct Placement {
  int out = -1; // index into `sections`, -1: not placed (dropped or special)
  uint64_t offset = 0;
};

/// An output symbol while the table is built: locals and globals are
/// numbered separately (ELF wants every local before the first global).
struct SymbolRef {
  bool global = false;
  uint32_t position = 0;
  /// For an input STT_SECTION symbol: the addend shift of relocations
  /// against it (its section's offset in the output section).
  uint64_t sectionOffset = 0;
  bool valid = false;
};

class Merger {
public:
  llvm::Error add(llvm::StringRef object);
  void write(llvm::SmallVectorImpl<char> &out);

private:
  int findOrCreateSection(llvm::StringRef name, const Shdr &header);
  uint32_t sectionSymbol(int out);

  bool haveHeader = false;
  Ehdr header{};
  std::vector<OutSection> sections;
  std::map<std::tuple<std::string, uint32_t, uint64_t, uint64_t>, int>
      sectionByKey;
  std::vector<Sym> locals;        // st_name holds an index into `names`
  std::vector<Sym> globals;       // same
  std::vector<std::string> names; // symbol names, by st_name
  llvm::StringMap<uint32_t> globalByName;
};

int Merger::findOrCreateSection(llvm::StringRef name, const Shdr &header) {
  auto key = std::make_tuple(name.str(), static_cast<uint32_t>(header.sh_type),
                             static_cast<uint64_t>(header.sh_flags),
                             static_cast<uint64_t>(header.sh_entsize));
  auto [it, inserted] = sectionByKey.try_emplace(key, sections.size());
  if (inserted) {
    OutSection section;
    section.name = name.str();
    section.type = header.sh_type;
    section.flags = header.sh_flags;
    section.entsize = header.sh_entsize;
    sections.push_back(std::move(section));
  }
  return it->second;
}

uint32_t Merger::sectionSymbol(int out) {
  OutSection &section = sections[out];
  if (!section.sectionSymbol) {
    Sym symbol{};
    symbol.st_name = 0;
    symbol.setBindingAndType(llvm::ELF::STB_LOCAL, llvm::ELF::STT_SECTION);
    symbol.st_shndx = out + 1; // merged sections are numbered from 1
    locals.push_back(symbol);
    names.push_back("");
    locals.back().st_name = names.size() - 1;
    section.sectionSymbol = locals.size(); // 1-based: 0 means none
  }
  return section.sectionSymbol - 1;
}

llvm::Error Merger::add(llvm::StringRef object) {
  auto fileOrError = llvm::object::ELFFile<ELFT>::create(object);
  if (!fileOrError)
    return fileOrError.takeError();
  const llvm::object::ELFFile<ELFT> &file = *fileOrError;
  const Ehdr &fileHeader = file.getHeader();
  if (fileHeader.e_type != llvm::ELF::ET_REL)
    return unsupported("not a relocatable object");
  if (!haveHeader) {
    header = fileHeader;
    haveHeader = true;
  } else if (fileHeader.e_machine != header.e_machine ||
             fileHeader.e_flags != header.e_flags ||
             fileHeader.e_ident[llvm::ELF::EI_OSABI] !=
                 header.e_ident[llvm::ELF::EI_OSABI]) {
    return unsupported("objects for different targets");
  }

  auto sectionsOrError = file.sections();
  if (!sectionsOrError)
    return sectionsOrError.takeError();
  auto inputSections = *sectionsOrError;

  // Sections: concatenate the contents, remember where each piece went.
  std::vector<Placement> placement(inputSections.size());
  const Shdr *symtab = nullptr;
  for (auto [index, section] : llvm::enumerate(inputSections)) {
    switch (section.sh_type) {
    case llvm::ELF::SHT_NULL:
    case llvm::ELF::SHT_STRTAB:
    case llvm::ELF::SHT_RELA:
      continue;
    case llvm::ELF::SHT_SYMTAB:
      if (symtab)
        return unsupported("two symbol tables");
      symtab = &section;
      continue;
    case llvm::ELF::SHT_LLVM_ADDRSIG:
      // Address-significance hints for identical code folding, by symbol
      // index; without them the linker assumes every address significant.
      continue;
    case llvm::ELF::SHT_PROGBITS:
    case llvm::ELF::SHT_NOBITS:
    case llvm::ELF::SHT_X86_64_UNWIND:
    case llvm::ELF::SHT_INIT_ARRAY:
    case llvm::ELF::SHT_FINI_ARRAY:
      break;
    default:
      return unsupported("section type " + llvm::Twine(section.sh_type));
    }
    if (section.sh_flags & (llvm::ELF::SHF_GROUP | llvm::ELF::SHF_LINK_ORDER |
                            llvm::ELF::SHF_COMPRESSED))
      return unsupported("section flags " + llvm::Twine(section.sh_flags));
    auto name = file.getSectionName(section);
    if (!name)
      return name.takeError();
    int out = findOrCreateSection(*name, section);
    OutSection &target = sections[out];
    uint64_t align = std::max<uint64_t>(section.sh_addralign, 1);
    uint64_t offset = llvm::alignTo(target.size, align);
    // .eh_frame is a sequence of length-prefixed records: padding would
    // read as a terminator.
    if (offset != target.size &&
        section.sh_type == llvm::ELF::SHT_X86_64_UNWIND)
      return unsupported("unaligned unwind tables");
    if (section.sh_type != llvm::ELF::SHT_NOBITS) {
      auto contents = file.getSectionContents(section);
      if (!contents)
        return contents.takeError();
      target.data.resize(offset, 0);
      target.data.insert(target.data.end(), contents->begin(), contents->end());
    }
    target.size = offset + section.sh_size;
    target.align = std::max(target.align, align);
    placement[index] = {out, offset};
  }
  if (!symtab)
    return unsupported("no symbol table");

  // Symbols: locals are appended, globals unified by name.
  auto symbolsOrError = file.symbols(symtab);
  if (!symbolsOrError)
    return symbolsOrError.takeError();
  auto stringsOrError = file.getStringTableForSymtab(*symtab);
  if (!stringsOrError)
    return stringsOrError.takeError();
  std::vector<SymbolRef> symbolMap(symbolsOrError->size());
  for (auto [index, symbol] : llvm::enumerate(*symbolsOrError)) {
    if (index == 0)
      continue;
    auto name = symbol.getName(*stringsOrError);
    if (!name)
      return name.takeError();
    uint16_t shndx = symbol.st_shndx;
    Placement where;
    if (shndx >= llvm::ELF::SHN_LORESERVE) {
      if (shndx != llvm::ELF::SHN_ABS)
        return unsupported("symbol '" + *name + "' in a special section");
    } else if (shndx != llvm::ELF::SHN_UNDEF) {
      if (shndx >= placement.size() || placement[shndx].out < 0)
        return unsupported("symbol '" + *name + "' in an unmerged section");
      where = placement[shndx];
    }
    SymbolRef &ref = symbolMap[index];
    ref.valid = true;
    if (symbol.getType() == llvm::ELF::STT_SECTION) {
      if (where.out < 0)
        return unsupported("section symbol of an unmerged section");
      ref.position = sectionSymbol(where.out);
      ref.sectionOffset = where.offset;
      continue;
    }
    Sym copy = symbol;
    if (where.out >= 0) {
      copy.st_shndx = where.out + 1; // merged sections are numbered from 1
      copy.st_value = symbol.st_value + where.offset;
    }
    if (symbol.getBinding() == llvm::ELF::STB_LOCAL) {
      names.push_back(name->str());
      copy.st_name = names.size() - 1;
      locals.push_back(copy);
      ref.position = locals.size() - 1;
      continue;
    }
    ref.global = true;
    bool defined = shndx != llvm::ELF::SHN_UNDEF;
    auto [it, inserted] = globalByName.try_emplace(*name, globals.size());
    if (inserted) {
      names.push_back(name->str());
      copy.st_name = names.size() - 1;
      globals.push_back(copy);
    } else {
      Sym &existing = globals[it->second];
      bool existingDefined = existing.st_shndx != llvm::ELF::SHN_UNDEF;
      if (defined && existingDefined)
        return unsupported("symbol '" + *name + "' defined twice");
      if (defined) {
        copy.st_name = existing.st_name;
        existing = copy;
      } else if (!existingDefined &&
                 symbol.getBinding() == llvm::ELF::STB_GLOBAL) {
        // An undefined strong reference wins over an undefined weak one.
        existing.setBinding(llvm::ELF::STB_GLOBAL);
      }
    }
    ref.position = it->second;
  }

  // Relocations, against the merged sections and symbols.
  for (const Shdr &section : inputSections) {
    if (section.sh_type != llvm::ELF::SHT_RELA)
      continue;
    if (section.sh_link >= inputSections.size() ||
        &inputSections[section.sh_link] != symtab)
      return unsupported("relocations against another symbol table");
    if (section.sh_info >= placement.size() ||
        placement[section.sh_info].out < 0)
      return unsupported("relocations of an unmerged section");
    Placement target = placement[section.sh_info];
    auto relas = file.relas(section);
    if (!relas)
      return relas.takeError();
    for (const Rela &rela : *relas) {
      Rela copy = rela;
      uint32_t symbolIndex = rela.r_info >> 32;
      uint32_t newIndex = kNoSymbol;
      if (symbolIndex != 0) {
        if (symbolIndex >= symbolMap.size() || !symbolMap[symbolIndex].valid)
          return unsupported("relocation against an unknown symbol");
        const SymbolRef &ref = symbolMap[symbolIndex];
        copy.r_addend = rela.r_addend + ref.sectionOffset;
        // Globals are renumbered in write(); mark them with the top bit.
        newIndex = ref.global ? (ref.position | kGlobalMark) : ref.position;
      }
      copy.r_offset = rela.r_offset + target.offset;
      setSymbol(copy, newIndex);
      sections[target.out].relas.push_back(copy);
    }
  }
  return llvm::Error::success();
}

/// A string table under construction (names deduplicated).
class StringTable {
public:
  StringTable() { data.push_back('\0'); }
  uint32_t add(llvm::StringRef name) {
    if (name.empty())
      return 0;
    auto [it, inserted] = offsets.try_emplace(name, data.size());
    if (inserted) {
      data.append(name.begin(), name.end());
      data.push_back('\0');
    }
    return it->second;
  }
  const std::string &contents() const { return data; }

private:
  std::string data;
  llvm::StringMap<uint32_t> offsets;
};

void Merger::write(llvm::SmallVectorImpl<char> &out) {
  // Section numbers: 0 null, the merged sections, one RELA section per
  // merged section with relocations, then .symtab, .strtab, .shstrtab.
  uint32_t count = 1 + sections.size();
  std::vector<uint32_t> relaIndex(sections.size(), 0);
  for (auto [i, section] : llvm::enumerate(sections))
    if (!section.relas.empty())
      relaIndex[i] = count++;
  uint32_t symtabIndex = count++;
  uint32_t strtabIndex = count++;
  uint32_t shstrtabIndex = count++;

  // The symbol table: null, locals (section symbols among them), globals.
  // A hidden global defined here is local to the merged object (what the
  // objects shared only among themselves): it joins the locals, after
  // those of the inputs.
  auto isLocalized = [](const Sym &symbol) {
    return symbol.st_shndx != llvm::ELF::SHN_UNDEF &&
           symbol.getVisibility() == llvm::ELF::STV_HIDDEN;
  };
  std::vector<uint32_t> globalIndex(globals.size());
  uint32_t next = 1 + locals.size();
  for (auto [i, symbol] : llvm::enumerate(globals))
    if (isLocalized(symbol))
      globalIndex[i] = next++;
  uint32_t firstGlobal = next;
  for (auto [i, symbol] : llvm::enumerate(globals))
    if (!isLocalized(symbol))
      globalIndex[i] = next++;
  StringTable strings;
  std::vector<Sym> symbols(next);
  for (auto [i, symbol] : llvm::enumerate(locals)) {
    symbols[1 + i] = symbol;
    symbols[1 + i].st_name = strings.add(names[symbol.st_name]);
  }
  for (auto [i, symbol] : llvm::enumerate(globals)) {
    Sym &out = symbols[globalIndex[i]];
    out = symbol;
    out.st_name = strings.add(names[symbol.st_name]);
    if (isLocalized(symbol)) {
      out.setBinding(llvm::ELF::STB_LOCAL);
      out.setVisibility(llvm::ELF::STV_DEFAULT);
    }
  }

  StringTable sectionNames;
  auto relaName = [](const std::string &name) { return ".rela" + name; };

  // Layout: header, section contents, section header table.
  std::vector<Shdr> headers(count);
  llvm::SmallVectorImpl<char> &buffer = out;
  buffer.clear();
  buffer.resize(sizeof(Ehdr), 0);
  auto place = [&](const void *data, size_t size, uint64_t align) {
    size_t offset = llvm::alignTo(buffer.size(), std::max<uint64_t>(align, 1));
    buffer.resize(offset, 0);
    const char *bytes = static_cast<const char *>(data);
    buffer.append(bytes, bytes + size);
    return offset;
  };
  for (auto [i, section] : llvm::enumerate(sections)) {
    Shdr &h = headers[1 + i];
    h.sh_name = sectionNames.add(section.name);
    h.sh_type = section.type;
    h.sh_flags = section.flags;
    h.sh_addralign = section.align;
    h.sh_entsize = section.entsize;
    h.sh_size = section.size;
    if (section.type == llvm::ELF::SHT_NOBITS) {
      h.sh_offset = llvm::alignTo(buffer.size(), section.align);
    } else {
      h.sh_offset =
          place(section.data.data(), section.data.size(), section.align);
    }
  }
  for (auto [i, section] : llvm::enumerate(sections)) {
    if (section.relas.empty())
      continue;
    // Output symbol numbers: 0 null, 1 + position for locals, globals
    // after the last local.
    for (Rela &rela : section.relas) {
      uint32_t index = rela.r_info >> 32;
      if (index & kGlobalMark)
        index = globalIndex[index & ~kGlobalMark];
      else if (index != kNoSymbol)
        index = 1 + index;
      else
        index = 0;
      setSymbol(rela, index);
    }
    Shdr &h = headers[relaIndex[i]];
    h.sh_name = sectionNames.add(relaName(section.name));
    h.sh_type = llvm::ELF::SHT_RELA;
    h.sh_flags = llvm::ELF::SHF_INFO_LINK;
    h.sh_link = symtabIndex;
    h.sh_info = 1 + i;
    h.sh_addralign = 8;
    h.sh_entsize = sizeof(Rela);
    h.sh_size = section.relas.size() * sizeof(Rela);
    h.sh_offset = place(section.relas.data(), h.sh_size, 8);
  }
  {
    Shdr &h = headers[symtabIndex];
    h.sh_name = sectionNames.add(".symtab");
    h.sh_type = llvm::ELF::SHT_SYMTAB;
    h.sh_link = strtabIndex;
    h.sh_info = firstGlobal;
    h.sh_addralign = 8;
    h.sh_entsize = sizeof(Sym);
    h.sh_size = symbols.size() * sizeof(Sym);
    h.sh_offset = place(symbols.data(), h.sh_size, 8);
  }
  auto placeStrings = [&](uint32_t index, const char *name,
                          const StringTable &table) {
    Shdr &h = headers[index];
    h.sh_name = sectionNames.add(name);
    h.sh_type = llvm::ELF::SHT_STRTAB;
    h.sh_addralign = 1;
    h.sh_size = table.contents().size();
    h.sh_offset = place(table.contents().data(), h.sh_size, 1);
  };
  placeStrings(strtabIndex, ".strtab", strings);
  // .shstrtab holds its own name: placeStrings adds it before the size.
  placeStrings(shstrtabIndex, ".shstrtab", sectionNames);
  uint64_t headerOffset =
      place(headers.data(), headers.size() * sizeof(Shdr), 8);

  Ehdr ehdr = header;
  ehdr.e_type = llvm::ELF::ET_REL;
  ehdr.e_entry = 0;
  ehdr.e_phoff = 0;
  ehdr.e_phnum = 0;
  ehdr.e_phentsize = 0;
  ehdr.e_shoff = headerOffset;
  ehdr.e_shentsize = sizeof(Shdr);
  ehdr.e_shnum = count;
  ehdr.e_shstrndx = shstrtabIndex;
  ehdr.e_ehsize = sizeof(Ehdr);
  std::memcpy(buffer.data(), &ehdr, sizeof(Ehdr));
}

} // namespace

llvm::Error mergeRelocatableELF(llvm::ArrayRef<llvm::StringRef> objects,
                                llvm::SmallVectorImpl<char> &out) {
  Merger merger;
  for (llvm::StringRef object : objects)
    if (llvm::Error error = merger.add(object))
      return error;
  merger.write(out);
  return llvm::Error::success();
}

} // namespace aec
