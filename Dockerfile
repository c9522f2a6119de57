# The operator image: runs `stapel-operator run` (the controller) and, as the
# init container of build pods, `stapel-operator prepare`.
# Build: npm ci && npm run build && <image builder> build -t stapel-operator .
FROM node:20-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 stapel \
 && useradd --uid 10001 --gid 10001 --home-dir /home/stapel --create-home stapel
WORKDIR /opt/stapel-operator
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY dist/ dist/
COPY crds/ crds/
RUN ln -s /opt/stapel-operator/dist/cli/main.js /usr/local/bin/stapel-operator \
 && chmod 0755 dist/cli/main.js
USER 10001:10001
ENV NODE_ENV=production
ENTRYPOINT ["stapel-operator"]
CMD ["run"]
