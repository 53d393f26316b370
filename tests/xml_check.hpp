#pragma once
// A small XML well-formedness check for the tests of generated SVG and HTML-free documents:
// balanced and properly nested elements, one root, quoted attributes, no raw '<' in text or
// attribute values, and '&' only as a named or numeric entity.
#include <cctype>
#include <string>
#include <vector>

namespace xml_check {

/// "" if `doc` is well-formed in that sense, otherwise what is wrong and where.
inline std::string well_formed(const std::string& doc) {
  std::vector<std::string> open;
  int roots = 0;
  std::size_t i = 0;
  auto where = [&](std::size_t at) { return " at offset " + std::to_string(at); };
  auto entity_ok = [&](std::size_t at) {
    const std::size_t semi = doc.find(';', at);
    if (semi == std::string::npos || semi - at > 10) return false;
    const std::string name = doc.substr(at + 1, semi - at - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") return true;
    if (name.size() > 1 && name[0] == '#') {
      for (std::size_t k = 1; k < name.size(); ++k) {
        if (!std::isxdigit(static_cast<unsigned char>(name[k])) && !(k == 1 && name[k] == 'x')) return false;
      }
      return true;
    }
    return false;
  };
  while (i < doc.size()) {
    if (doc[i] == '&' && !entity_ok(i)) return "bare '&'" + where(i);
    if (doc[i] != '<') {
      if (!std::isspace(static_cast<unsigned char>(doc[i])) && open.empty()) return "text outside the root" + where(i);
      ++i;
      continue;
    }
    if (doc.compare(i, 4, "<!--") == 0) {
      const std::size_t end = doc.find("-->", i);
      if (end == std::string::npos) return "unterminated comment" + where(i);
      i = end + 3;
      continue;
    }
    if (doc.compare(i, 2, "<?") == 0 || doc.compare(i, 2, "<!") == 0) {
      const std::size_t end = doc.find('>', i);
      if (end == std::string::npos) return "unterminated declaration" + where(i);
      i = end + 1;
      continue;
    }
    const bool closing = doc.compare(i, 2, "</") == 0;
    std::size_t j = i + (closing ? 2 : 1);
    const std::size_t name_start = j;
    while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == '-' || doc[j] == ':' ||
                              doc[j] == '_' || doc[j] == '.')) {
      ++j;
    }
    const std::string name = doc.substr(name_start, j - name_start);
    if (name.empty()) return "tag without a name" + where(i);
    if (closing) {
      while (j < doc.size() && std::isspace(static_cast<unsigned char>(doc[j]))) ++j;
      if (j >= doc.size() || doc[j] != '>') return "malformed closing tag" + where(i);
      if (open.empty() || open.back() != name) return "</" + name + "> does not close the open element" + where(i);
      open.pop_back();
      i = j + 1;
      continue;
    }
    // Attributes: name="value" or name='value'.
    bool self_closing = false;
    for (;;) {
      while (j < doc.size() && std::isspace(static_cast<unsigned char>(doc[j]))) ++j;
      if (j >= doc.size()) return "unterminated tag <" + name + where(i);
      if (doc[j] == '>') break;
      if (doc.compare(j, 2, "/>") == 0) {
        self_closing = true;
        ++j;
        break;
      }
      const std::size_t attr_start = j;
      while (j < doc.size() && doc[j] != '=' && !std::isspace(static_cast<unsigned char>(doc[j])) && doc[j] != '>') ++j;
      if (j == attr_start || j >= doc.size() || doc[j] != '=')
        return "attribute without a value in <" + name + where(j);
      ++j;
      if (j >= doc.size() || (doc[j] != '"' && doc[j] != '\'')) return "unquoted attribute in <" + name + where(j);
      const char quote = doc[j];
      const std::size_t end = doc.find(quote, j + 1);
      if (end == std::string::npos) return "unterminated attribute in <" + name + where(j);
      for (std::size_t k = j + 1; k < end; ++k) {
        if (doc[k] == '<') return "'<' in an attribute of <" + name + where(k);
        if (doc[k] == '&' && !entity_ok(k)) return "bare '&' in an attribute of <" + name + where(k);
      }
      j = end + 1;
    }
    if (open.empty()) ++roots;
    if (roots > 1) return "more than one root element" + where(i);
    if (!self_closing) open.push_back(name);
    i = j + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (roots != 1) return "no root element";
  return "";
}

}  // namespace xml_check
