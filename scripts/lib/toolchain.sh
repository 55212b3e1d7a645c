# Sourced by scripts/paved. Puts Node 22/24 and Yarn 4 on PATH using nothing but the machine's
# Node and npm: Backstage 1.55 needs Node 22 or 24, and the repo vendors no third-party binaries.
# Everything installed here lands in the git-ignored .toolchain/ folder of the checkout.

toolchain_dir="$repo_root/.toolchain"

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_toolchain() {
  command -v npm >/dev/null || die "npm is needed to set up Paved's toolchain; install Node.js with npm first"
  local registry
  registry=$(npm config get registry 2>/dev/null)
  registry=${registry%/}

  local wanted=() node_home=""
  local major
  major=$(node_major node)
  if [ "$major" != 22 ] && [ "$major" != 24 ]; then
    local os arch
    case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) die "unsupported OS $(uname -s)" ;; esac
    case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
    node_home="$toolchain_dir/node_modules/node-$os-$arch"
    [ "$(node_major "$node_home/bin/node")" = 22 ] || wanted+=("node-$os-$arch@22")
  fi
  # Corepack comes from the registry too: Node 25 stopped bundling it.
  [ -x "$toolchain_dir/node_modules/.bin/corepack" ] || wanted+=("corepack@0.34")

  if [ ${#wanted[@]} -gt 0 ]; then
    log "installing ${wanted[*]} from the npm registry into .toolchain/ (system Node is $(node -v 2>/dev/null))"
    mkdir -p "$toolchain_dir"
    [ -f "$toolchain_dir/package.json" ] || echo '{"private":true}' >"$toolchain_dir/package.json"
    npm install --prefix "$toolchain_dir" --no-audit --no-fund --loglevel=error "${wanted[@]}" >/dev/null ||
      die "could not install ${wanted[*]} from $registry"
  fi
  if [ -n "$node_home" ]; then
    export PATH="$node_home/bin:$PATH"
    # node-gyp (better-sqlite3) builds against these headers instead of downloading them. Some
    # node-gyp versions ignore npm_config_nodedir, so its header cache is seeded too.
    export npm_config_nodedir="$node_home"
    local gyp_dir
    gyp_dir="${XDG_CACHE_HOME:-$HOME/.cache}/node-gyp/$("$node_home/bin/node" -p process.versions.node)"
    if [ ! -f "$gyp_dir/installVersion" ]; then
      mkdir -p "$gyp_dir"
      cp -r "$node_home/include" "$gyp_dir/"
      echo 11 >"$gyp_dir/installVersion"
    fi
  fi

  export COREPACK_NPM_REGISTRY="$registry"
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
  export COREPACK_ENABLE_AUTO_PIN=0
  export YARN_NPM_REGISTRY_SERVER="$registry"
  export YARN_ENABLE_TELEMETRY=0
  if [ ! -x "$toolchain_dir/bin/yarn" ]; then
    mkdir -p "$toolchain_dir/bin"
    "$toolchain_dir/node_modules/.bin/corepack" enable --install-directory "$toolchain_dir/bin" yarn
  fi
  export PATH="$toolchain_dir/bin:$PATH"
  yarn --version >/dev/null || die "Yarn could not be prepared through corepack (registry: $registry)"
}
