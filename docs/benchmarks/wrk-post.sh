# Sourced by the benchmark scripts (from the repository root).
# wrk_post <body file> <script path> [content type]: writes a wrk Lua script that POSTs the file's bytes.
wrk_post() {
  cat > "$2" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "${3:-application/json}"
local f = io.open("$1", "rb")
wrk.body = f:read("*a")
f:close()
LUA
}
