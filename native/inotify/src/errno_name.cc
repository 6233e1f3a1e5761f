#include "errno_name.h"

#include <cerrno>

namespace vigil {

std::string errnoName(int err) {
  switch (err) {
#define VIGIL_ERRNO(name) \
  case name:              \
    return #name;
    VIGIL_ERRNO(EPERM)
        VIGIL_ERRNO(ENOENT) VIGIL_ERRNO(ESRCH) VIGIL_ERRNO(EINTR) VIGIL_ERRNO(EIO) VIGIL_ERRNO(ENXIO) VIGIL_ERRNO(E2BIG)
            VIGIL_ERRNO(ENOEXEC) VIGIL_ERRNO(EBADF) VIGIL_ERRNO(ECHILD) VIGIL_ERRNO(EAGAIN) VIGIL_ERRNO(ENOMEM)
                VIGIL_ERRNO(EACCES) VIGIL_ERRNO(EFAULT) VIGIL_ERRNO(EBUSY) VIGIL_ERRNO(EEXIST) VIGIL_ERRNO(EXDEV)
                    VIGIL_ERRNO(ENODEV) VIGIL_ERRNO(ENOTDIR) VIGIL_ERRNO(EISDIR) VIGIL_ERRNO(EINVAL) VIGIL_ERRNO(ENFILE)
                        VIGIL_ERRNO(EMFILE) VIGIL_ERRNO(ENOTTY) VIGIL_ERRNO(EFBIG) VIGIL_ERRNO(ENOSPC)
                            VIGIL_ERRNO(ESPIPE) VIGIL_ERRNO(EROFS) VIGIL_ERRNO(EMLINK) VIGIL_ERRNO(EPIPE)
                                VIGIL_ERRNO(ERANGE) VIGIL_ERRNO(ENAMETOOLONG) VIGIL_ERRNO(ENOSYS) VIGIL_ERRNO(ENOTEMPTY)
                                    VIGIL_ERRNO(ELOOP) VIGIL_ERRNO(EOVERFLOW) VIGIL_ERRNO(ESTALE) VIGIL_ERRNO(ENOTSUP)
                                        VIGIL_ERRNO(ECANCELED) VIGIL_ERRNO(EUCLEAN) VIGIL_ERRNO(EREMOTEIO)
                                            VIGIL_ERRNO(ENOMEDIUM) VIGIL_ERRNO(EDQUOT) VIGIL_ERRNO(ENOTCONN)
                                                VIGIL_ERRNO(ETIMEDOUT) VIGIL_ERRNO(EHOSTDOWN)
#undef VIGIL_ERRNO
                                                    default : return "E" +
                                                              std::to_string(err);
  }
}

}  // namespace vigil
