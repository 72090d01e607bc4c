-- GET /api/1/composes/?state=0&per_page=20: the first page of waiting composes, as a poller
-- would ask. The issue wrote `state=wait`; this server (like upstream's parser) takes the
-- state's number only and answers `state=wait` with a 400, so the number 0 (wait) is used.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "GET"
wrk.path = "/api/1/composes/?state=0&per_page=20"

done = common.done("list_wait")
