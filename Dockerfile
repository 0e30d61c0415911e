# The playground backend and web app in one image, for docker-compose.yml.
# Debian 12 (bookworm), like the hosts the playground is developed on.
FROM node:20-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      clang-19 llvm-19 clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make g++ python3 bubblewrap util-linux \
      qemu-system-x86 busybox-static kmod cpio squashfs-tools xz-utils \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
# setup.sh builds the addon, the VMs' kernels and root image, and the web app, and skips what is already there.
RUN bash scripts/setup.sh

ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "--import", "tsx", "server/main.ts"]
