/*
 * messages.h — the message catalogs of the explanations: one text file per
 * language (src/offer/messages/<lang>.txt), compiled into the library by
 * cmake/embed.cmake and parsed once, at first use. Entries are
 * `key = text` with named {placeholders}; explain.c chooses the entry and
 * fills the placeholders, the catalog holds every sentence. Format and keys:
 * docs/offers.md ("Explanations").
 */
#ifndef XS_OFFER_MESSAGES_H
#define XS_OFFER_MESSAGES_H

#include <stddef.h>

/* A placeholder's value: {name} becomes value (borrowed). */
typedef struct xs__offer_msg_var {
    const char *name;
    const char *value;
} xs__offer_msg_var;

/* @return the index of a language code ("en", "ja"); NULL means "en";
 * -1 for a language without a catalog. */
int xs__offer_msg_lang(const char *code);
/* @return the number of languages with a catalog */
size_t xs__offer_msg_n_langs(void);
/* @return the code of language i (static) */
const char *xs__offer_msg_lang_code(size_t i);

/* @return the text of key in language lang (static, parsed once), or NULL
 * when the catalog has no such entry or lang is out of range. */
const char *xs__offer_msg_get(int lang, const char *key);
/* @return number.group of lang and sets *decimal to its number.decimal (as
 * xs__offer_msg_get gives them, looked up once). */
const char *xs__offer_msg_number(int lang, const char **decimal);
/* The first entry that exists among key.v1.v2, key.v1, key.v2, key (NULL
 * variants are skipped). @return its text, or NULL */
const char *xs__offer_msg_pick(int lang, const char *key, const char *v1, const char *v2);

/* Entry i of language lang, in key order: @return its key and sets *text;
 * NULL past the end. For the tests and the docs. */
const char *xs__offer_msg_entry(int lang, size_t i, const char **text);
/* Problems found parsing lang's catalog (malformed lines, duplicate keys),
 * described into buf. @return their number */
int xs__offer_msg_errors(int lang, char *buf, size_t n);

/* Appends tmpl to buf (size n) at *w with each {name} replaced by its value
 * in vars; a placeholder without a value is copied as it is (the tests look
 * for it). Truncates safely, always NUL-terminates when n > 0. */
void xs__offer_msg_fill(const char *tmpl, const xs__offer_msg_var *vars, size_t n_vars,
                        char *buf, size_t n, size_t *w);

/* The catalog key of an offer trigger's entries ("usage", ...; the
 * downsells share "downsell"), NULL for a trigger without text. Defined in
 * explain.c. */
#include "xsell.h"
const char *xs__offer_explain_key(xs_offer_trigger t);
/* The catalog entry (its text, as xs__offer_msg_entry gives it) that
 * xs_offer_explain() fills for offer o in lang; NULL when none. */
const char *xs__offer_explain_entry(const xs_offer_engine *en, const xs_offer *o,
                                    const char *lang);

#endif
