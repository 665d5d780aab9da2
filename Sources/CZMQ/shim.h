// SPDX-License-Identifier: Apache-2.0
// The one header of the CZMQ system-library target: libzmq's public API.
#include <zmq.h>
