# The one list of native sources. CMakeLists.txt builds the addon (through
# cmake-js), the C unit tests, the fuzz target and the benchmark from it.

set(CIX_CORE_SOURCES
  native/src/core/drop.c
  native/src/core/counters.c
  native/src/core/pool.c
  native/src/core/match.c
  native/src/core/tables.c
  native/src/core/epoch.c
  native/src/stage/parse.c
  native/src/stage/classify.c
  native/src/stage/xconnect.c
  native/src/stage/rewrite.c
  native/src/stage/tx.c
  native/src/pipeline.c
  native/src/io/mem.c
  native/src/host/dataplane.c
  native/src/host/worker.c
  native/src/host/counters_shm.c
  native/src/host/live_pool.c
  native/src/host/live.c
)

# Drivers that need a system library.
set(CIX_PCAP_SOURCES
  native/src/io/pcap.c
  native/src/host/replay.c
)

set(CIX_ADDON_SOURCES
  native/addon/addon.cc
  native/addon/dataplane_wrap.cc
  native/addon/replay_worker.cc
  native/addon/live_spec.cc
  native/addon/counters_mapping.cc
  native/addon/counters_map_wrap.cc
)

# One test program per stage or core piece, next to the code it tests.
set(CIX_UNIT_TESTS
  native/src/core/pool_test.c
  native/src/core/match_test.c
  native/src/core/tables_test.c
  native/src/core/epoch_test.c
  native/src/core/counters_test.c
  native/src/stage/parse_test.c
  native/src/stage/classify_test.c
  native/src/stage/rewrite_test.c
  native/src/stage/xconnect_test.c
  native/src/stage/tx_test.c
  native/src/pipeline_test.c
  native/src/io/mem_test.c
  native/src/host/worker_test.c
  native/src/host/counters_shm_test.c
  native/src/host/live_pool_test.c
)

# The live drivers and the loader of firmware/ (libxdp, libbpf). The XDP
# program itself is compiled by CMakeLists.txt (clang -target bpf) and
# embedded into the library as a C array.
set(CIX_XDP_SOURCES
  native/src/io/xdp_prog.c
  native/src/io/xdp_attach.c
  native/src/io/xdp_ring.c
  native/src/io/xdp_sock.c
  native/src/io/afxdp.c
  native/src/io/afpacket.c
)

# Tests that need root and make their own network namespaces and veth pairs
# (prefix cxd); they print the same "cix-unit" line as the unit tests.
set(CIX_LIVE_TESTS
  firmware/cix_xsk_test.c
  native/src/io/afxdp_test.c
  native/src/io/afpacket_test.c
)
