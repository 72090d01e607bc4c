-- GET $BENCH_PATH (one list URL of Benchmarks/api/scale.sh), reported as $BENCH_LABEL.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")

done = common.done(os.getenv("BENCH_LABEL") or "list_path")
