/*
 * user_image.S - the ring-3 program, carried in the kernel as a blob.
 *
 * Assembled once per kernel guest with USER_BIN naming that guest's
 * program, linked at USER_BASE and flattened to whole pages (user.ld,
 * pvguest/pvguest.mk).  The kernel copies it into each task's image pages;
 * it is never run from here.  Page-aligned: it is copied page by page.
 */
        .section .rodata.user_image, "a"
        .balign 4096
        .globl  user_image_start, user_image_end
user_image_start:
        .incbin USER_BIN
        .balign 4096
user_image_end:
