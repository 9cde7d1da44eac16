#include "git/url.h"

#include <filesystem>
#include <system_error>

#include "capigitops/git.h"

namespace capigitops {
namespace git {
namespace {

// scp-like syntax: [user@]host:path, with the colon before any slash.
bool IsScpLike(const std::string& url) {
  if (url.empty() || url[0] == '/' || url[0] == '.') return false;
  size_t colon = url.find(':');
  size_t slash = url.find('/');
  return colon != std::string::npos && colon > 0 &&
         (slash == std::string::npos || colon < slash);
}

// Splits "user[:password]@host[:port]" into its parts.
Status ParseAuthority(const std::string& authority, RemoteUrl* out) {
  std::string hostport = authority;
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    out->user = userinfo.substr(0, colon);
    if (colon != std::string::npos) out->password = userinfo.substr(colon + 1);
  }
  size_t colon = hostport.rfind(':');
  if (!hostport.empty() && hostport[0] == '[') {  // [::1]:22
    size_t close = hostport.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("bad host");
    out->host = hostport.substr(1, close - 1);
    colon = hostport.find(':', close);
  } else {
    out->host = hostport.substr(0, colon);
  }
  if (colon != std::string::npos && colon + 1 < hostport.size()) {
    std::string port = hostport.substr(colon + 1);
    if (port.find_first_not_of("0123456789") != std::string::npos ||
        port.size() > 5) {
      return Status::InvalidArgument("bad port \"" + port + "\"");
    }
    out->port = std::stoi(port);
  }
  if (out->host.empty()) return Status::InvalidArgument("no host");
  return Status::Ok();
}

}  // namespace

StatusOr<RemoteUrl> ParseRemoteUrl(const std::string& url) {
  RemoteUrl out;
  out.display = ScrubUrl(url);
  auto invalid = [&](const Status& s) {
    return s.WithContext("repository URL " + out.display);
  };
  if (url.empty()) return Status::InvalidArgument("repository URL is empty");
  size_t sep = url.find("://");
  if (sep != std::string::npos) {
    std::string scheme = url.substr(0, sep);
    std::string rest = url.substr(sep + 3);
    if (scheme == "file") {
      out.transport = Transport::kLocal;
      out.for_libgit2 = url;
      return out;
    }
    if (scheme == "https") {
      out.transport = Transport::kHttps;
    } else if (scheme == "http") {
      out.transport = Transport::kHttp;
    } else if (scheme == "ssh" || scheme == "git+ssh") {
      out.transport = Transport::kSsh;
    } else {
      return invalid(Status::InvalidArgument(
          "unsupported scheme \"" + scheme +
          "\" (use https://, ssh://, file:// or a path)"));
    }
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
    RETURN_IF_ERROR(invalid(ParseAuthority(authority, &out)));
    if (out.transport == Transport::kSsh && !out.password.empty()) {
      return invalid(Status::InvalidArgument(
          "ssh URLs must not contain a password; use ssh_key_file"));
    }
    std::string userpart = out.user.empty() ? "" : out.user + "@";
    std::string hostpart = authority.substr(authority.rfind('@') + 1);
    if (authority.find('@') == std::string::npos) hostpart = authority;
    out.for_libgit2 = scheme + "://" + userpart + hostpart + path;
    return out;
  }
  if (IsScpLike(url)) {
    out.transport = Transport::kSsh;
    size_t colon = url.find(':');
    std::string authority = url.substr(0, colon);
    RETURN_IF_ERROR(invalid(ParseAuthority(authority, &out)));
    out.port = 0;  // "host:path" has no port
    out.for_libgit2 = url;
    return out;
  }
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(url, ec);
  if (ec) return invalid(Status::InvalidArgument(ec.message()));
  out.transport = Transport::kLocal;
  out.for_libgit2 = abs.lexically_normal().string();
  return out;
}

}  // namespace git

std::string ScrubUrl(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return url;
  size_t start = sep + 3;
  size_t end = url.find('/', start);
  std::string authority = url.substr(start, end - start);
  size_t at = authority.rfind('@');
  if (at == std::string::npos) return url;
  std::string userinfo = authority.substr(0, at);
  std::string scheme = url.substr(0, sep);
  size_t colon = userinfo.find(':');
  std::string scrubbed;
  if (colon != std::string::npos) {
    scrubbed = userinfo.substr(0, colon) + ":***";
  } else if (scheme == "http" || scheme == "https") {
    // https://TOKEN@host is a common way to pass a token.
    scrubbed = "***";
  } else {
    return url;
  }
  return url.substr(0, start) + scrubbed + url.substr(start + at);
}

}  // namespace capigitops
