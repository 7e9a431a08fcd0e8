# Sourced by ./upscalefarm and ./upscalefarm-bench: publishes a project (Release, ReadyToRun) into its
# bin/Release/publish on first use or when a source file is newer than the last publish, then runs it.
#   run_published PROJECT_DIR ASSEMBLY ARGS...     e.g. run_published src/UpscaleFarm.Cli upscalefarm models list
run_published() {
  local project="$root/$1" name="$2"
  shift 2
  local out="$project/bin/Release/publish"
  local bin="$out/$name" stamp="$out/.built"
  # One publish at a time in this checkout (the programs share projects' build folders): a script that starts several
  # processes at once (a coordinator, a worker and an assembler) would otherwise have each publish over the others'
  # files; the later ones find it done.
  exec 9>"${TMPDIR:-/tmp}/upscalefarm-publish-$(printf %s "$root" | cksum | cut -d' ' -f1).lock"
  flock 9
  if [[ ! -x "$bin" || ! -f "$stamp" ]] || [[ -n "$(find "$root/src" "$root/Directory.Build.props" "$root/Directory.Packages.props" -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.proto' \) -print -quit)" ]]; then
    echo "$name: building (Release, ReadyToRun) ..." >&2
    local log
    log="$(mktemp)"
    if ! dotnet publish "$project/$(basename "$project").csproj" -c Release -o "$out" --nologo -v quiet >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"; exit 1
    fi
    rm -f "$log"
    touch "$stamp"
  fi
  exec 9>&-
  exec "$bin" "$@"
}
