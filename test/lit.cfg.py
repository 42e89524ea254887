# -*- Python -*-
# lit configuration for aec: one folder per pipeline stage.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "AEC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".ae", ".mlir", ".test", ".c"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.aec_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%aec_src", config.aec_src_root))
config.substitutions.append(("%aert_include", os.path.join(config.aec_src_root, "runtime")))
config.substitutions.append(("%aert_lib", config.aec_lib_dir))
# A C compiler and the link line for a harness against a compiled model:
#   %cc %s %t.o %aert_link -o %t.exe
config.substitutions.append(("%cc", config.host_cc + " -std=c99 -O1 -Wall -Werror"))
config.substitutions.append(("%cxx", config.host_cxx))
config.substitutions.append(
    ("%aert_link",
     "-L" + config.aec_lib_dir + " -laert -lstdc++ -lm -lpthread"
     + " -Wl,-rpath," + config.aec_lib_dir))

llvm_config.use_default_substitutions()
llvm_config.with_system_environment(["HOME", "TMPDIR", "AEC_NUM_THREADS"])

tool_dirs = [config.aec_tools_dir, config.llvm_tools_dir]
tools = [
    "aec",
    "aec-opt",
    ToolSubst("mlir-opt", command="mlir-opt", unresolved="ignore"),
    ToolSubst("llvm-as", command="llvm-as", unresolved="ignore"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.aec_tools_dir, append_path=True)
