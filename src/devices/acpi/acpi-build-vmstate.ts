import type { VMStateDescription } from '../../vmstate/description.js';

/**
 * vmstate_acpi_build: "acpi_build" v1, one u8 `patched` (hw/i386/acpi-build.c).
 * patched is set when the guest first reads an ACPI fw_cfg file and the
 * tables are rebuilt (acpi_build_update); reset clears it. Real 7.2: 0 in a
 * paused (-S) source, 1 once SeaBIOS has run the loader.
 */
export const vmstateAcpiBuild: VMStateDescription = {
  name: 'acpi_build',
  version_id: 1,
  minimum_version_id: 1,
  fields: [{ name: 'patched', kind: 'int', type: 'uint8' }],
};
