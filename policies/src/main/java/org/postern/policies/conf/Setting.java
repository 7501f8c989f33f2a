// Setting: one "name = value" assignment as written in main.cf (or a master.cf -o override),
// before $name expansion, with the file:line it came from.
package org.postern.policies.conf;

import org.postern.core.Origin;

/** An explicit, unexpanded assignment. */
record Setting(String name, String value, Origin origin) {}
