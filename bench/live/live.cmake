# The live benchmark's frame generator, cix_live_gen (bench/live/live_gen.c
# and its two senders): no cix code in it, so that what measures cix does
# not share its bugs. Its XDP program (live_gen.bpf.c) is compiled with
# clang -target bpf and embedded as a C array by firmware/embed.cmake, as
# cix's own firmware is: no path to find at run time.
pkg_check_modules(CIX_LIVE_BPF REQUIRED IMPORTED_TARGET libbpf)
include(${CMAKE_SOURCE_DIR}/firmware/bpf.cmake)
cix_bpf_object(SOURCE ${CMAKE_SOURCE_DIR}/bench/live/live_gen.bpf.c
  DEPENDS ${CMAKE_SOURCE_DIR}/bench/live/live_gen_bpf.h
  NAME live_gen_bpf_obj OUT_DIR ${CMAKE_BINARY_DIR}/bench-live
  INCLUDE_DIR ${CMAKE_SOURCE_DIR}/bench/live RESULT CIX_LIVE_GEN_OBJ_C)

add_executable(cix_live_gen
  bench/live/live_gen.c
  bench/live/gen_xdp.c
  bench/live/gen_packet.c
  ${CIX_LIVE_GEN_OBJ_C})
target_compile_options(cix_live_gen PRIVATE ${CIX_WARNINGS})
target_include_directories(cix_live_gen PRIVATE bench/live)
find_package(Threads REQUIRED)
target_link_libraries(cix_live_gen PRIVATE PkgConfig::CIX_LIVE_BPF Threads::Threads)
