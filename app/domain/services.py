"""The services one server process runs, built once from settings and shared by REST and GraphQL."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.domain.audit import AuditTrail
from app.domain.branches import BranchService
from app.domain.catalog import EngineCatalog
from app.domain.controller import Controller
from app.domain.databases import DatabaseService, UpkeepDefaults
from app.domain.delivery import DeliveryWorker
from app.domain.egress import EgressPolicy
from app.domain.events import EventBus, EventLog
from app.domain.handover import Handover
from app.domain.health import HealthService
from app.domain.housekeeping import Housekeeping
from app.domain.idempotency import IdempotencyService
from app.domain.imports import ImportService
from app.domain.keys import ApiKeyService
from app.domain.masking import MaskingService
from app.domain.monitoring import MonitoringService
from app.domain.operation_log import OperationLog
from app.domain.projects import ProjectService
from app.domain.promotion import PromotionService
from app.domain.provisioning import Provisioner
from app.domain.ratelimits import RateLimiter
from app.domain.refresh import RefreshService
from app.domain.retention import Retention
from app.domain.schema_diff import SchemaDiffService
from app.domain.snapshots import SnapshotService
from app.domain.space import SpaceMeter
from app.domain.template_passwords import TemplatePasswords
from app.domain.warm_engines import WarmEngines
from app.domain.webhooks import ApiAddress, WebhookService
from app.drivers.forwarding import KernelForwarding
from app.drivers.front import ConnectionFront
from app.drivers.port_claims import PortClaims
from app.drivers.runtime.base import ContainerRuntime
from app.drivers.runtime.docker import DockerRuntime
from app.drivers.storage import StoragePool, open_pool
from app.engines import ENGINES
from app.identity import ensure_install_id


@dataclass
class Services:
    settings: Settings
    install_id: str
    runtime: ContainerRuntime
    pool: StoragePool
    catalog: EngineCatalog
    provisioner: Provisioner
    events: EventBus
    databases: DatabaseService
    snapshots: SnapshotService
    branches: BranchService
    promotions: PromotionService
    schema_diffs: SchemaDiffService
    keys: ApiKeyService
    projects: ProjectService
    audit: AuditTrail
    health: HealthService
    monitoring: MonitoringService
    rate_limiter: RateLimiter
    controller: Controller
    webhooks: WebhookService
    delivery: DeliveryWorker
    housekeeping: Housekeeping
    idempotency: IdempotencyService
    handover: Handover
    imports: ImportService
    refresh: RefreshService
    operations: OperationLog
    space: SpaceMeter

    @classmethod
    def build(cls, settings: Settings) -> Services:
        install_id = ensure_install_id(settings.data_dir)
        runtime = DockerRuntime(install_id, str(settings.data_dir), settings.docker_host)
        pool = open_pool(settings.storage, settings.pool_path)
        catalog = EngineCatalog(ENGINES, settings.engine_versions, settings.images, runtime)
        provisioner = Provisioner(
            runtime=runtime,
            pool=pool,
            host=settings.host_name,
            install_id=install_id,
            port_claims=PortClaims(settings.port_claims_dir, install_id, settings.data_dir),
            network_mode=settings.network_mode,
            bind_address=settings.bind_address,
            ready_timeout_s=settings.operation_timeout_s,
            pids_limit=settings.pids_limit,
            pool_min_free_bytes=settings.pool_min_free_bytes,
            front=ConnectionFront(settings.bind_address, hold_s=settings.wake_timeout_s),
            engine_port_offset=settings.engine_port_offset,
            disk_quota_bytes=settings.disk_quota_bytes,
            forwarding=KernelForwarding(install_id, settings.bind_address, settings.port_claims_dir)
            if settings.kernel_forwarding
            else None,
            template_passwords=TemplatePasswords(settings.data_dir / "template-passwords"),
            warm=WarmEngines(
                runtime,
                install_id,
                settings.host_name,
                settings.data_dir / "warm-engines",
                settings.warm_engines,
                settings.pids_limit,
            ),
        )
        events = EventBus()
        event_log = EventLog(events)
        databases = DatabaseService(
            catalog,
            provisioner,
            settings.connect_host,
            settings.port_range,
            event_log,
            default_memory_bytes=settings.default_memory_bytes,
            upkeep_defaults=UpkeepDefaults(settings.branch_ttl_s, settings.auto_stop_after_s),
        )
        snapshots = SnapshotService(databases)
        masking = MaskingService(databases)
        imports = ImportService(databases, settings.import_jobs, masking)
        refresh = RefreshService(databases, snapshots, imports)
        egress = EgressPolicy(settings.webhooks.allow_networks)
        delivery = DeliveryWorker(settings.webhooks, egress)
        return cls(
            settings=settings,
            install_id=install_id,
            runtime=runtime,
            pool=pool,
            catalog=catalog,
            provisioner=provisioner,
            events=events,
            databases=databases,
            snapshots=snapshots,
            branches=BranchService(databases, snapshots, masking),
            promotions=PromotionService(databases, snapshots),
            schema_diffs=SchemaDiffService(databases, snapshots),
            keys=ApiKeyService(),
            projects=ProjectService(),
            audit=AuditTrail(),
            health=HealthService(runtime, pool),
            monitoring=MonitoringService(databases),
            rate_limiter=RateLimiter(settings.rate_limits),
            controller=Controller(databases, settings.sweep_interval_s),
            webhooks=WebhookService(
                ApiAddress.of(settings.api_host, settings.api_port),
                delivery.first_attempt_within_s,
                egress,
            ),
            delivery=delivery,
            housekeeping=Housekeeping(
                databases,
                snapshots,
                settings.job_interval_s,
                settings.wake_timeout_s,
                Retention(settings.retention_s),
                refresh,
            ),
            idempotency=IdempotencyService(),
            handover=Handover(event_log),
            imports=imports,
            refresh=refresh,
            operations=OperationLog(databases),
            space=SpaceMeter(provisioner),
        )
