/* Empty: the layout compile needs no errno values. */
