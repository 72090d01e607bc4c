-- POST /api/1/composes/ with a repo source: every request inserts one compose in wait.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.path = "/api/1/composes/"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"source":{"type":"repo","source":"/srv/repos/bench"}}'

done = common.done("post_repo")
