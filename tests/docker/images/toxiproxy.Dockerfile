# The Toxiproxy server the Makefile builds, laid out as its published image: /toxiproxy.
ARG BASE
FROM ${BASE}
COPY toxiproxy /toxiproxy
EXPOSE 8474
ENTRYPOINT ["/toxiproxy"]
CMD ["-host=0.0.0.0"]
