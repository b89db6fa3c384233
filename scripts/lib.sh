# Shared by scripts/test and scripts/run: the Debian 12 packages Taskdeck needs, installed only when
# something is missing. Sourced, not run.

# Building and testing (the GUI tests run on the offscreen platform, so no X server is needed).
TASKDECK_BUILD_PACKAGES=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools
    libqt6sql6-sqlite     # Qt Sql's SQLite driver
    libsqlite3-dev        # the same SQLite's C API, for the per-task writes
    libqt6svg6            # renders the SVG icons
    qt6-charts-dev        # the Overview's charts (Qt Charts)
    libqt6opengl6-dev     # Qt Charts' CMake package looks for Qt OpenGL
    tzdata                # IANA time zones for QTimeZone
    fonts-dejavu-core     # text in the offscreen and real windows
)

# For ./scripts/screenshots: a virtual X server, a tray host and a screen grabber.
TASKDECK_SCREENSHOT_PACKAGES=(xvfb xauth trayer imagemagick x11-utils xdotool qt6-qpa-plugins)

taskdeck_missing_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    echo "${missing[@]:-}"
}

# taskdeck_ensure_packages PKG...: installs those not yet installed (apt-get update first).
taskdeck_ensure_packages() {
    local missing
    missing=$(taskdeck_missing_packages "$@")
    [ -z "$missing" ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "Taskdeck needs these Debian packages: $missing (run as root, or install them)" >&2
            return 1
        fi
    fi
    echo "Installing Debian packages: $missing"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

# taskdeck_configure BUILD_DIR CMAKE_ARGS...: configures with Ninja once; later runs reuse the cache.
taskdeck_configure() {
    local dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        cmake -S . -B "$dir" -G Ninja "$@"
    else
        cmake "$dir" "$@" >/dev/null
    fi
}

taskdeck_jobs() {
    nproc 2>/dev/null || echo 2
}
