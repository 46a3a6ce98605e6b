{
  "targets": [
    {
      "target_name": "netio",
      "sources": ["netio.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
