"""The services one server process runs, built once from settings and shared by REST and GraphQL."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.domain.branches import BranchService
from app.domain.catalog import EngineCatalog
from app.domain.databases import DatabaseService
from app.domain.delivery import DeliveryWorker
from app.domain.events import EventBus, EventLog
from app.domain.health import HealthService
from app.domain.idempotency import IdempotencyService
from app.domain.keys import ApiKeyService
from app.domain.monitoring import MonitoringService
from app.domain.provisioning import Provisioner
from app.domain.ratelimits import RateLimiter
from app.domain.reconcile import Reconciler
from app.domain.snapshots import SnapshotService
from app.domain.webhooks import ApiAddress, WebhookService
from app.drivers.runtime.base import ContainerRuntime
from app.drivers.runtime.docker import DockerRuntime
from app.drivers.storage import StoragePool, open_pool
from app.engines import ENGINES


@dataclass
class Services:
    settings: Settings
    runtime: ContainerRuntime
    pool: StoragePool
    catalog: EngineCatalog
    provisioner: Provisioner
    events: EventBus
    databases: DatabaseService
    snapshots: SnapshotService
    branches: BranchService
    keys: ApiKeyService
    health: HealthService
    monitoring: MonitoringService
    rate_limiter: RateLimiter
    reconciler: Reconciler
    webhooks: WebhookService
    delivery: DeliveryWorker
    idempotency: IdempotencyService

    @classmethod
    def build(cls, settings: Settings) -> Services:
        runtime = DockerRuntime(settings.docker_host)
        pool = open_pool(settings.storage, settings.pool_path)
        catalog = EngineCatalog(ENGINES, settings.engine_versions, settings.images, runtime)
        provisioner = Provisioner(
            runtime=runtime,
            pool=pool,
            host=settings.host_name,
            network_mode=settings.network_mode,
            bind_address=settings.bind_address,
            ready_timeout_s=settings.operation_timeout_s,
        )
        events = EventBus()
        databases = DatabaseService(
            catalog, provisioner, settings.connect_host, settings.port_range, EventLog(events)
        )
        snapshots = SnapshotService(databases)
        delivery = DeliveryWorker(settings.webhooks)
        return cls(
            settings=settings,
            runtime=runtime,
            pool=pool,
            catalog=catalog,
            provisioner=provisioner,
            events=events,
            databases=databases,
            snapshots=snapshots,
            branches=BranchService(databases, snapshots),
            keys=ApiKeyService(),
            health=HealthService(runtime, pool),
            monitoring=MonitoringService(databases),
            rate_limiter=RateLimiter(settings.rate_limits),
            reconciler=Reconciler(provisioner),
            webhooks=WebhookService(
                ApiAddress.of(settings.api_host, settings.api_port),
                delivery.first_attempt_within_s,
            ),
            delivery=delivery,
            idempotency=IdempotencyService(),
        )
