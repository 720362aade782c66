# The live benchmark's frame generator, cix_live_gen (bench/live/live_gen.c
# and its two senders): no cix code in it, so that what measures cix does
# not share its bugs. Its XDP program (live_gen.bpf.c) is compiled with
# clang -target bpf and embedded as a C array by firmware/embed.cmake, as
# cix's own firmware is: no path to find at run time.
pkg_check_modules(CIX_LIVE_BPF REQUIRED IMPORTED_TARGET libbpf)
find_program(CIX_BPF_CLANG NAMES clang clang-14 REQUIRED)
set(CIX_LIVE_OUT ${CMAKE_BINARY_DIR}/bench-live)
set(CIX_LIVE_BPF_INCLUDES -I${CMAKE_SOURCE_DIR}/bench/live)
if(CMAKE_LIBRARY_ARCHITECTURE)
  # <asm/types.h> lives under the multiarch directory; -target bpf does not look there.
  list(APPEND CIX_LIVE_BPF_INCLUDES -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
endif()
add_custom_command(OUTPUT ${CIX_LIVE_OUT}/live_gen.bpf.o
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CIX_LIVE_OUT}
  COMMAND ${CIX_BPF_CLANG} -O2 -g -target bpf -Wall -Wextra -Werror ${CIX_LIVE_BPF_INCLUDES}
          -c ${CMAKE_SOURCE_DIR}/bench/live/live_gen.bpf.c -o ${CIX_LIVE_OUT}/live_gen.bpf.o
  DEPENDS ${CMAKE_SOURCE_DIR}/bench/live/live_gen.bpf.c ${CMAKE_SOURCE_DIR}/bench/live/live_gen_bpf.h
  COMMENT "bench: clang -target bpf live_gen.bpf.c"
  VERBATIM)
add_custom_command(OUTPUT ${CIX_LIVE_OUT}/live_gen_obj.c
  COMMAND ${CMAKE_COMMAND} -DIN=${CIX_LIVE_OUT}/live_gen.bpf.o -DOUT=${CIX_LIVE_OUT}/live_gen_obj.c
          -DNAME=live_gen_bpf_obj -P ${CMAKE_SOURCE_DIR}/firmware/embed.cmake
  DEPENDS ${CIX_LIVE_OUT}/live_gen.bpf.o ${CMAKE_SOURCE_DIR}/firmware/embed.cmake
  COMMENT "bench: embedding live_gen.bpf.o"
  VERBATIM)

add_executable(cix_live_gen
  bench/live/live_gen.c
  bench/live/gen_xdp.c
  bench/live/gen_packet.c
  ${CIX_LIVE_OUT}/live_gen_obj.c)
target_compile_options(cix_live_gen PRIVATE ${CIX_WARNINGS})
target_include_directories(cix_live_gen PRIVATE bench/live)
find_package(Threads REQUIRED)
target_link_libraries(cix_live_gen PRIVATE PkgConfig::CIX_LIVE_BPF Threads::Threads)
