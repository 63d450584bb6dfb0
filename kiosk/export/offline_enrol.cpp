// "Enrol from stick" (offline_enrol.h).
#include "offline_enrol.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "bundle.h"
#include "data_paths.h"
#include "device_key.h"
#include "json.h"
#include "set_delivery.h"
#include "signed_set.h"

namespace tp {

namespace {

OfflineEnrolOutcome refused(std::string message) { return {false, std::move(message), {}, {}}; }

// Writes a new file whole (invariant 3); "" or why not.
// `existed`: a file of that name is there already (left as it is).
std::string write_new_file(const std::string& path, const std::string& text, bool& existed) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  existed = fd < 0 && errno == EEXIST;
  if (fd < 0) return std::strerror(errno);
  std::size_t done = 0;
  std::string why;
  while (done < text.size() && why.empty()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      why = std::strerror(errno);
    else
      done += static_cast<std::size_t>(n);
  }
  if (why.empty() && ::fsync(fd) != 0) why = std::strerror(errno);
  ::close(fd);
  if (why.empty()) {
    auto back = read_file_capped(path, text.size() + 1);
    if (!back || *back != text) why = "it did not read back as written";
  }
  if (!why.empty()) ::unlink(path.c_str());
  return why;
}

}  // namespace

OfflineEnrolOutcome enrol_from_stick(const std::string& enrol_file, const std::string& data_dir, const std::string& kiosk_name,
                                     std::int64_t now) {
  auto text = read_file_capped(enrol_file, bundle::kMaxEnrolFileBytes);
  if (!text) return refused("The enrolment file could not be read: " + text.message());
  auto decoded = bundle::decode_enrol_file(*text);
  if (auto* bad = std::get_if<std::string>(&decoded)) return refused("This is not an enrolment file from a Tenpoint server: " + *bad);
  const bundle::EnrolFile& e = std::get<bundle::EnrolFile>(decoded);

  // One kiosk, one server (invariant 2).
  if (!e.set_key.empty()) {
    auto held = read_file_capped(set_key_path(data_dir), 1024);
    std::string current = held ? *held : "";
    while (!current.empty() && (current.back() == '\n' || current.back() == ' ')) current.pop_back();
    if (!current.empty() && current != e.set_key)
      return refused(
          "This kiosk already trusts another server's question sets. It was not enrolled: ask for an enrolment file from "
          "that server.");
    if (current.empty())
      if (Status s = write_file_atomically(set_key_path(data_dir), e.set_key + "\n"); !s)
        return refused("The kiosk could not keep the server's key: " + s.message());
  }
  auto key = load_or_make_device_key(data_dir);
  if (!key) return refused("The kiosk could not make its own key: " + key.message());
  if (Status s = write_file_atomically(data_dir + "/" + kOfflineEnrolmentFile,
                                       "{\"venue\":" + json::quote(e.venue) + ",\"enrolled_at\":" + std::to_string(now) + "}\n");
      !s)
    return refused("The kiosk could not keep its venue: " + s.message());

  const std::string reply_path = (std::filesystem::path(enrol_file).parent_path() / bundle::kEnrolReplyFile).string();
  const std::string reply = bundle::encode_enrol_reply({e.code, kiosk_name, "", now}, *key);
  bool existed = false;
  std::string why = write_new_file(reply_path, reply, existed);
  if (existed) {
    // Written before: fine if it is this kiosk's reply to this code.
    auto earlier = read_file_capped(reply_path, bundle::kMaxEnrolFileBytes);
    auto opened = earlier ? bundle::open_enrol_reply(*earlier) : std::variant<bundle::EnrolReply, std::string>(std::string());
    const auto* r = std::get_if<bundle::EnrolReply>(&opened);
    if (r && r->code == e.code && r->device_key == key->public_base64())
      why.clear();
    else
      why = "another kiosk's reply is there already; move it off the stick first";
  }
  if (!why.empty()) return refused("The reply could not be written on the stick (" + why + "). The kiosk is ready; try again.");
  return {true,
          "Enrolled for " + e.venue + ". On the server, import " + bundle::kEnrolReplyFile + " from the stick (tenpoint-server import).",
          e.venue, reply_path};
}

std::string offline_venue(const std::string& data_dir) {
  auto text = read_file_capped(data_dir + "/" + kOfflineEnrolmentFile, 4096);
  if (!text) return {};
  json::ParseResult parsed = json::parse(*text);
  const json::Value* venue = parsed.ok ? parsed.value.find("venue") : nullptr;
  return venue && venue->is(json::Value::Type::string) ? venue->string : std::string();
}

}  // namespace tp
