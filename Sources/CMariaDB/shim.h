// The MariaDB Connector/C client library (Debian's libmariadb-dev, pkg-config libmariadb) for Swift:
// MySQL 8 and MariaDB servers. Its calls block; llmtrace runs them on a thread pool of their own.
// Function-like macros Swift cannot import are wrapped in static inline functions.
#ifndef LLMTRACE_CMARIADB_SHIM_H
#define LLMTRACE_CMARIADB_SHIM_H

#include <stddef.h>
#include <mariadb/mysql.h>
#include <mariadb/errmsg.h>
#include <mariadb/mysqld_error.h>

/// mysql_library_init (a macro for mysql_server_init): once per process, before any thread connects.
static inline int llmtrace_mysql_library_init(void) { return mysql_library_init(0, NULL, NULL); }
#endif
