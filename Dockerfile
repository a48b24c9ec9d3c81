# Fulcrum appliance image: build with Maven, run on a JRE as a non-root user.
#   docker build -t fulcrum .
#   docker run -p 8080:8080 -p 8081:8081 -p 9090:9090 fulcrum        # the demo
#   docker run -v $PWD/my.yaml:/etc/fulcrum/fulcrum.yaml:ro -p 8080:8080 fulcrum
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY testing/pom.xml testing/
COPY config/pom.xml config/
COPY lb-core/pom.xml lb-core/
COPY health/pom.xml health/
COPY tls/pom.xml tls/
COPY l7/pom.xml l7/
COPY l4/pom.xml l4/
COPY ha/pom.xml ha/
COPY appliance/pom.xml appliance/
COPY bench/pom.xml bench/
COPY testing/src testing/src
COPY config/src config/src
COPY lb-core/src lb-core/src
COPY health/src health/src
COPY tls/src tls/src
COPY l7/src l7/src
COPY l4/src l4/src
COPY ha/src ha/src
COPY appliance/src appliance/src
RUN mvn -B -q -DskipTests -pl appliance -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system fulcrum \
 && useradd --system --gid fulcrum --home-dir /nonexistent --shell /usr/sbin/nologin fulcrum \
 && mkdir -p /etc/fulcrum /opt/fulcrum
COPY --from=build /src/appliance/target/fulcrum.jar /opt/fulcrum/fulcrum.jar
COPY jvm.options /opt/fulcrum/jvm.options
COPY docker/entrypoint.sh /opt/fulcrum/entrypoint.sh
RUN chmod 0755 /opt/fulcrum/entrypoint.sh
USER fulcrum
# 8080: the demo's HTTP listener; 8081: its TCP listener; 9090: the admin listener (metrics).
EXPOSE 8080 8081 8443 9090
# The admin listener answers /metrics; bash's /dev/tcp needs no extra package.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9090 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/opt/fulcrum/entrypoint.sh"]
