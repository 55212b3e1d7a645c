# Sourced by scripts/paved. Puts Node 22/24 and Yarn 4 on PATH using nothing but the machine's
# Node and npm: Backstage 1.55 needs Node 22 or 24, and the repo vendors no third-party binaries.
# Everything installed here lands in the git-ignored .toolchain/ folder of the checkout, and
# .toolchain/bin then holds all a shell needs (node when the machine's is too old, yarn), so
# `export PATH="$PWD/.toolchain/bin:$PATH"` is the one step before any other command.

toolchain_dir="$repo_root/.toolchain"

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# The machine's own node: the first on PATH outside .toolchain/, which may already be on it.
machine_node() {
  local dir
  local IFS=:
  for dir in $PATH; do
    case "$dir" in "$toolchain_dir"/*) continue ;; esac
    [ -n "$dir" ] && [ -x "$dir/node" ] && {
      echo "$dir/node"
      return 0
    }
  done
  return 1
}

# Writes $2 to $1 only when it differs, through a rename: other shells may be running the file.
write_if_changed() {
  local file=$1 content=$2
  [ -f "$file" ] && [ ! -L "$file" ] && [ "$(cat "$file")" = "$content" ] && return 0
  printf '%s\n' "$content" >"$file.$$"
  chmod 755 "$file.$$"
  mv -f "$file.$$" "$file"
}

link_if_changed() {
  local target=$1 link=$2
  [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ] && return 0
  ln -sfn "$target" "$link.$$"
  mv -f "$link.$$" "$link"
}

ensure_toolchain() {
  command -v npm >/dev/null || die "npm is needed to set up Paved's toolchain; install Node.js with npm first"
  local registry
  registry=$(npm config get registry 2>/dev/null)
  registry=${registry%/}

  local wanted=() node_home="" node_package="" system_node major
  system_node=$(machine_node) || die "no node on PATH; install Node.js with npm first"
  major=$(node_major "$system_node")
  if [ "$major" != 22 ] && [ "$major" != 24 ]; then
    local os arch
    case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) die "unsupported OS $(uname -s)" ;; esac
    case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
    node_package="node-$os-$arch"
    node_home="$toolchain_dir/node_modules/$node_package"
    [ "$(node_major "$node_home/bin/node")" = 22 ] || wanted+=("$node_package@22")
  fi
  # Corepack comes from the registry too: Node 25 stopped bundling it.
  [ -x "$toolchain_dir/node_modules/.bin/corepack" ] || wanted+=("corepack@0.34")

  if [ ${#wanted[@]} -gt 0 ]; then
    log "installing ${wanted[*]} from the npm registry into .toolchain/ (system Node is $("$system_node" -v 2>/dev/null))"
    mkdir -p "$toolchain_dir"
    [ -f "$toolchain_dir/package.json" ] || echo '{"private":true}' >"$toolchain_dir/package.json"
    npm install --prefix "$toolchain_dir" --no-audit --no-fund --loglevel=error "${wanted[@]}" >/dev/null ||
      die "could not install ${wanted[*]} from $registry"
  fi

  mkdir -p "$toolchain_dir/bin"
  local nodedir_line=""
  if [ -n "$node_home" ]; then
    link_if_changed "../node_modules/$node_package/bin/node" "$toolchain_dir/bin/node"
    # node-gyp (better-sqlite3) builds against these headers instead of downloading them. Some
    # node-gyp versions ignore npm_config_nodedir, so its header cache is seeded too.
    export npm_config_nodedir="$node_home"
    nodedir_line="export npm_config_nodedir=\"\${npm_config_nodedir:-\$toolchain/node_modules/$node_package}\""
    local gyp_dir
    gyp_dir="${XDG_CACHE_HOME:-$HOME/.cache}/node-gyp/$("$node_home/bin/node" -p process.versions.node)"
    if [ ! -f "$gyp_dir/installVersion" ]; then
      mkdir -p "$gyp_dir"
      cp -r "$node_home/include" "$gyp_dir/"
      echo 11 >"$gyp_dir/installVersion"
    fi
  else
    # The machine's Node is 22 or 24: a node left here from an older machine Node would shadow it.
    rm -f "$toolchain_dir/bin/node"
  fi
  link_if_changed "../node_modules/.bin/corepack" "$toolchain_dir/bin/corepack"

  export COREPACK_NPM_REGISTRY="$registry"
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
  export COREPACK_ENABLE_AUTO_PIN=0
  export YARN_NPM_REGISTRY_SERVER="$registry"
  export YARN_ENABLE_TELEMETRY=0
  # Yarn through corepack with the settings above baked in, so that a shell with only
  # .toolchain/bin on PATH gets the same Yarn, registry and Node headers as scripts/paved.
  local name
  for name in yarn yarnpkg; do
    write_if_changed "$toolchain_dir/bin/$name" "#!/bin/sh
# Written by scripts/lib/toolchain.sh (regenerated on each run): $name through corepack.
toolchain=\$(cd \"\$(dirname \"\$0\")/..\" && pwd)
export COREPACK_NPM_REGISTRY=\"\${COREPACK_NPM_REGISTRY:-$registry}\"
export YARN_NPM_REGISTRY_SERVER=\"\${YARN_NPM_REGISTRY_SERVER:-$registry}\"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_ENABLE_AUTO_PIN=0 YARN_ENABLE_TELEMETRY=0
$nodedir_line
node=node
[ -x \"\$toolchain/bin/node\" ] && node=\"\$toolchain/bin/node\"
exec \"\$node\" \"\$toolchain/node_modules/corepack/dist/$name.js\" \"\$@\""
  done
  export PATH="$toolchain_dir/bin:$PATH"
  [ "$(node_major node)" = 22 ] || [ "$(node_major node)" = 24 ] ||
    die "node on PATH is $(node -v) after set-up; expected 22 or 24"
  yarn --version >/dev/null || die "Yarn could not be prepared through corepack (registry: $registry)"
}
