# cix_bpf_object(SOURCE <x.bpf.c> DEPENDS <headers...> NAME <c symbol>
#                OUT_DIR <dir> INCLUDE_DIR <dir> RESULT <var>)
# Compiles one BPF program with clang -target bpf and embeds the object as a
# C array (firmware/embed.cmake); <var> receives the generated .c file to add
# to a target. Used for cix's firmware and for the live bench's generator.
find_program(CIX_BPF_CLANG NAMES clang clang-14 REQUIRED)

function(cix_bpf_object)
  cmake_parse_arguments(A "" "SOURCE;NAME;OUT_DIR;INCLUDE_DIR;RESULT" "DEPENDS" ${ARGN})
  get_filename_component(stem ${A_SOURCE} NAME_WE)
  set(includes -I${A_INCLUDE_DIR})
  if(CMAKE_LIBRARY_ARCHITECTURE)
    # <asm/types.h> lives under the multiarch directory; -target bpf does not look there.
    list(APPEND includes -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
  endif()
  set(obj ${A_OUT_DIR}/${stem}.bpf.o)
  set(csrc ${A_OUT_DIR}/${stem}_obj.c)
  add_custom_command(OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${A_OUT_DIR}
    COMMAND ${CIX_BPF_CLANG} -O2 -g -target bpf -Wall -Wextra -Werror ${includes}
            -c ${A_SOURCE} -o ${obj}
    DEPENDS ${A_SOURCE} ${A_DEPENDS}
    COMMENT "bpf: clang -target bpf ${stem}.bpf.c"
    VERBATIM)
  add_custom_command(OUTPUT ${csrc}
    COMMAND ${CMAKE_COMMAND} -DIN=${obj} -DOUT=${csrc} -DNAME=${A_NAME}
            -P ${CMAKE_SOURCE_DIR}/firmware/embed.cmake
    DEPENDS ${obj} ${CMAKE_SOURCE_DIR}/firmware/embed.cmake
    COMMENT "bpf: embedding ${stem}.bpf.o"
    VERBATIM)
  set(${A_RESULT} ${csrc} PARENT_SCOPE)
endfunction()
