/*
 * elf_features.c - the FEATURES note: XENFEAT_ names to bits.
 *
 * A PV kernel lists the optional hypervisor features it can use in its
 * FEATURES note, "name|!name|...", a '!' marking one it cannot run without
 * (hypercalls/public/elfnote.h).  This file owns the names (those of
 * hypercalls/public/version.h) and turns the string into two bitmaps.  The
 * string comes straight from the untrusted image: it is read only within
 * the length the parser found, and never written.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/elf.h"
#include "hypervisor/domain/elf_format.h"
#include "hypercalls/public/errno.h"

#define FEATURE(name) [XENFEAT_##name] = #name
static const char *const feature_name[] = {
    FEATURE(writable_page_tables), FEATURE(writable_descriptor_tables),
    FEATURE(auto_translated_physmap), FEATURE(supervisor_mode_kernel),
    FEATURE(pae_pgdir_above_4gb), FEATURE(mmu_pt_update_preserve_ad),
    FEATURE(highmem_assist), FEATURE(gnttab_map_avail_bits),
    FEATURE(hvm_callback_vector), FEATURE(hvm_safe_pvclock),
    FEATURE(hvm_pirqs), FEATURE(dom0), FEATURE(memory_op_vnode_supported),
    FEATURE(ARM_SMCCC_supported), FEATURE(linux_rsdp_unrestricted),
    FEATURE(not_direct_mapped), FEATURE(direct_mapped),
    FEATURE(dm_msix_all_writes) };
#undef FEATURE

const char *elf_feature_name(unsigned bit)
{
    return bit < ARRAY_SIZE(feature_name) && feature_name[bit] ?
           feature_name[bit] : "?";
}

static int feature_bit(const char *name, size_t len)
{
    for (unsigned i = 0; i < ARRAY_SIZE(feature_name); i++)
        if (feature_name[i] && strlen(feature_name[i]) == len &&
            !strncmp(feature_name[i], name, len))
            return (int)i;
    return -1;
}

/*
 * `s` comes straight from the image and need not be NUL-terminated, so it
 * is read only within `len`.  Like libelf we ignore names we do not know -
 * unless the guest says it cannot run without them.
 */
int elf_parse_features(const char *s, size_t len, uint32_t *supported,
                       uint32_t *required, char *err, size_t errlen)
{
    while (len && *s) {
        size_t tok = 0;
        while (tok < len && s[tok] != '|' && s[tok] != '\0')
            tok++;
        bool must = tok && s[0] == '!';
        int bit = feature_bit(s + must, tok - must);
        if (bit >= 0) {
            *supported |= 1u << bit;
            if (must)
                *required |= 1u << bit;
        } else if (must) {
            char name[40] = "";
            memcpy(name, s + 1, MIN(tok - 1, sizeof(name) - 1));
            return elf_errf(err, errlen, -ENOEXEC, "FEATURES requires "
                            "unknown feature \"%s\"", name);
        }
        s += tok;
        len -= tok;
        if (len && *s == '|')
            s++, len--;
    }
    return 0;
}
