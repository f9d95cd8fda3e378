"""What differs between Common Cartridge 1.1 and 1.3: namespaces, resource types and schemas."""

from __future__ import annotations

from dataclasses import dataclass

LTICM_NS = "http://www.imsglobal.org/xsd/imslticm_v1p0"
LTICP_NS = "http://www.imsglobal.org/xsd/imslticp_v1p0"
BLTI_NS = "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CSMD_NS = "http://www.imsglobal.org/xsd/imsccv1p3/imscsmd_v1p0"

# Resource kinds used in this package, mapped per version to the type string of the manifest.
WEBCONTENT = "webcontent"
DISCUSSION = "discussion"
WEBLINK = "weblink"
LTI_LINK = "lti-link"
QTI_ASSESSMENT = "qti-assessment"
QTI_QUESTION_BANK = "qti-question-bank"
ASSOCIATED_CONTENT = "associated-content"


@dataclass(frozen=True)
class ResourceFileProfile:
    """How the XML file of one resource kind is checked: its schema and expected root element."""

    schema: str
    root_namespace: str
    root_name: str


@dataclass(frozen=True)
class CartridgeVersion:
    """One Common Cartridge version as this package writes and checks it."""

    label: str
    schema_version: str
    manifest_ns: str
    lom_manifest_ns: str
    lom_resource_ns: str
    resource_types: dict[str, str]
    resource_files: dict[str, ResourceFileProfile]
    manifest_schemas: tuple[str, ...]
    moodle_importable: bool
    curriculum_metadata: bool

    def kind_of(self, resource_type: str) -> str | None:
        """The package's kind for a manifest ``type`` string, or None when unknown."""
        for kind, type_string in self.resource_types.items():
            if type_string == resource_type:
                return kind
        return None


CC_1_1 = CartridgeVersion(
    label="1.1",
    schema_version="1.1.0",
    manifest_ns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
    lom_manifest_ns="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest",
    lom_resource_ns="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource",
    resource_types={
        WEBCONTENT: "webcontent",
        DISCUSSION: "imsdt_xmlv1p1",
        WEBLINK: "imswl_xmlv1p1",
        LTI_LINK: "imsbasiclti_xmlv1p0",
        QTI_ASSESSMENT: "imsqti_xmlv1p2/imscc_xmlv1p1/assessment",
        QTI_QUESTION_BANK: "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank",
        ASSOCIATED_CONTENT: "associatedcontent/imscc_xmlv1p1/learning-application-resource",
    },
    resource_files={
        DISCUSSION: ResourceFileProfile(
            "cc1p1/ccv1p1_imsdt_v1p1.xsd",
            "http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1",
            "topic",
        ),
        WEBLINK: ResourceFileProfile(
            "cc1p1/ccv1p1_imswl_v1p1.xsd",
            "http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1",
            "webLink",
        ),
        LTI_LINK: ResourceFileProfile(
            "cc1p1/imslticc_v1p0p1.xsd",
            "http://www.imsglobal.org/xsd/imslticc_v1p0",
            "cartridge_basiclti_link",
        ),
        QTI_ASSESSMENT: ResourceFileProfile(
            "cc1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd", QTI_NS, "questestinterop"
        ),
        QTI_QUESTION_BANK: ResourceFileProfile(
            "cc1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd", QTI_NS, "questestinterop"
        ),
    },
    # Moodle's restore gate first, then the IMS manifest schema itself.
    manifest_schemas=("cc1p1/cc11libxml2validator.xsd", "cc1p1/ccv1p1_imscp_v1p2_v1p0.xsd"),
    moodle_importable=True,
    curriculum_metadata=False,
)

CC_1_3 = CartridgeVersion(
    label="1.3",
    schema_version="1.3.0",
    manifest_ns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1",
    lom_manifest_ns="http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest",
    lom_resource_ns="http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource",
    resource_types={
        WEBCONTENT: "webcontent",
        DISCUSSION: "imsdt_xmlv1p3",
        WEBLINK: "imswl_xmlv1p3",
        LTI_LINK: "imsbasiclti_xmlv1p3",
        QTI_ASSESSMENT: "imsqti_xmlv1p2/imscc_xmlv1p3/assessment",
        QTI_QUESTION_BANK: "imsqti_xmlv1p2/imscc_xmlv1p3/question-bank",
        ASSOCIATED_CONTENT: "associatedcontent/imscc_xmlv1p3/learning-application-resource",
    },
    resource_files={
        DISCUSSION: ResourceFileProfile(
            "cc1p3/ccv1p3_imsdt_v1p3.xsd",
            "http://www.imsglobal.org/xsd/imsccv1p3/imsdt_v1p3",
            "topic",
        ),
        WEBLINK: ResourceFileProfile(
            "cc1p3/ccv1p3_imswl_v1p3.xsd",
            "http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3",
            "webLink",
        ),
        LTI_LINK: ResourceFileProfile(
            "cc1p3/imslticc_v1p3.xsd",
            "http://www.imsglobal.org/xsd/imslticc_v1p3",
            "cartridge_basiclti_link",
        ),
        # The shared set has no 1.3 QTI profile; QTI 1.2.1 keeps its namespace, so the 1.1 profile
        # is the closest available check.
        QTI_ASSESSMENT: ResourceFileProfile(
            "cc1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd", QTI_NS, "questestinterop"
        ),
        QTI_QUESTION_BANK: ResourceFileProfile(
            "cc1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd", QTI_NS, "questestinterop"
        ),
    },
    manifest_schemas=("cc1p3/ccv1p3_imscp_v1p2_v1p0.xsd",),
    moodle_importable=False,
    curriculum_metadata=True,
)

VERSIONS: dict[str, CartridgeVersion] = {CC_1_1.label: CC_1_1, CC_1_3.label: CC_1_3}


def version_for_namespace(namespace: str | None) -> CartridgeVersion | None:
    """The version whose manifest namespace is ``namespace``, or None."""
    for version in VERSIONS.values():
        if version.manifest_ns == namespace:
            return version
    return None
