// Where things live on this machine.
#pragma once
#include <string>

namespace tp {

// $XDG_DATA_HOME/tenpoint, else ~/.local/share/tenpoint.
std::string user_data_dir();
// TENPOINT_ASSETS, else the installed /usr/share/tenpoint, else the source tree's assets/.
std::string assets_dir();
// /etc/tenpoint/kiosk.json on an installed kiosk, else the source tree's config/kiosk.example.json.
std::string default_kiosk_config_path();

// The kiosk's data folder is the folder of its database ("." when the path
// names none). Beside the database it holds:
std::string kiosk_data_dir(const std::string& db_path);
// question-set.tpset: the signed question set delivered by tenpoint-sync or
// `tenpoint questions install`, written atomically (temp file, fsync, rename).
// The kiosk checks it itself before use (SIGNED.md).
std::string delivered_set_path(const std::string& data_dir);
// question-set.accepted.tpset: the kiosk's own copy of the signed set it last
// accepted, used when the delivered file is refused or gone.
std::string accepted_set_path(const std::string& data_dir);
// set-key.pub: the base64 Ed25519 public key that signs question sets, one
// line, written by tenpoint-sync when it enrols. The config's
// "trusted_set_key" takes precedence over it.
std::string set_key_path(const std::string& data_dir);

}  // namespace tp
