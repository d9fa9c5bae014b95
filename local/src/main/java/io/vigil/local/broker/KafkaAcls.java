package io.vigil.local.broker;

import io.vigil.proto.ServiceAccess;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** {@link ServiceAccess} as the broker's ACLs: one ALLOW binding per grant and operation, from any host. */
public final class KafkaAcls {

    private KafkaAcls() {
    }

    public static List<AclBinding> of(ServiceAccess.Principal principal) {
        List<AclBinding> out = new ArrayList<>();
        for (ServiceAccess.Grant g : principal.grants()) {
            ResourcePattern resource = new ResourcePattern(switch (g.resource()) {
                case TOPIC -> ResourceType.TOPIC;
                case GROUP -> ResourceType.GROUP;
                case TRANSACTIONAL_ID -> ResourceType.TRANSACTIONAL_ID;
            }, g.name(), g.pattern() == ServiceAccess.Pattern.PREFIXED ? PatternType.PREFIXED : PatternType.LITERAL);
            for (ServiceAccess.Operation op : g.operations()) {
                out.add(new AclBinding(resource, new AccessControlEntry("User:" + principal.user(), "*",
                        AclOperation.valueOf(op.name()), AclPermissionType.ALLOW)));
            }
        }
        return out;
    }
}
