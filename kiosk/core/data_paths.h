// Where things live on this machine.
#pragma once
#include <string>

namespace tp {

// $XDG_DATA_HOME/tenpoint, else ~/.local/share/tenpoint.
std::string user_data_dir();
// TENPOINT_ASSETS, else the installed /usr/share/tenpoint, else the source tree's assets/.
std::string assets_dir();

}  // namespace tp
