# Embeds openapi.json into a C++ source file as a string (served at /api/v1/openapi.json).
file(READ ${IN} CONTENT)
file(WRITE ${OUT} "#include \"api/openapi.h\"\n\nnamespace sb::api {\nconst std::string& openapi_document() {\n  static const std::string doc = R\"sbopenapi(${CONTENT})sbopenapi\";\n  return doc;\n}\n}  // namespace sb::api\n")
