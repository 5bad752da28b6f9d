package dev.tilefarm.worker;

import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.worker.DeliveryPolicy.Ack;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A tile in a lane's hands: the delivery to settle (renewed deliveries replace it), the making in progress, and
 * how to settle it once known. Written by the render and store threads, read by the lane's poll loop.
 */
final class HeldTile implements TileJob.Delivery {
  final TileTask task;
  /** The lane's queue, told when this tile's outcome is known. */
  private final BlockingQueue<HeldTile> finished;
  volatile ConsumerRecord<String, byte[]> record;
  volatile Future<?> future;
  /** How to settle the delivery, once the tile's outcome is known; null before. */
  volatile Ack outcome;
  volatile boolean abandoned;
  /** Made and handed to a store thread: its render thread is free. */
  volatile boolean rendered;

  HeldTile(TileTask task, ConsumerRecord<String, byte[]> record, BlockingQueue<HeldTile> finished) {
    this.task = task;
    this.record = record;
    this.finished = finished;
  }

  /** The delivery count of {@code r} (1 when the broker does not say). */
  static int deliveryOf(ConsumerRecord<?, ?> r) {
    return r.deliveryCount().map(Short::intValue).orElse(1);
  }

  /** The tile's outcome is known: settle its delivery with {@code ack} at the lane's next look. */
  void settleWith(Ack ack) {
    outcome = ack;
    finished.add(this);
  }

  /** Gives the tile up: its pixels are neither stored nor announced, its render thread is interrupted. */
  void abandon() {
    abandoned = true;
    future.cancel(true);
  }

  @Override
  public TileTask task() {
    return task;
  }

  @Override
  public int attempt() {
    return deliveryOf(record);
  }

  @Override
  public boolean abandoned() {
    return abandoned;
  }
}
