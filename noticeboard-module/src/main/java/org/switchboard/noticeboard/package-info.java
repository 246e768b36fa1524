/**
 * Notice boards on Redis: a board holds its latest value under a revision that only increases, and a
 * watcher that names the last revision it saw is answered at once or woken by the next post.
 */
package org.switchboard.noticeboard;
