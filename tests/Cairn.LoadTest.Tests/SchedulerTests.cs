namespace Cairn.LoadTest.Tests;

public sealed class SchedulerTests
{
    [Fact]
    public async Task OpenLoop_DueTimes_FollowTheRate_AndLateSlotsAreHandedOutAtOnce()
    {
        // Started a second ago: every slot is already late, so nothing waits.
        var start = Clock.Now - Clock.FromSeconds(1);
        var scheduler = new Scheduler(start, count: 5, duration: null, ratePerSecond: 1000, TimeSpan.Zero, () => false, default);
        for (var i = 0; i < 5; i++)
        {
            var due = await scheduler.NextAsync();
            Assert.Equal(start + i * Clock.FromSeconds(0.001), due!.Value, tolerance: 1);
        }
        Assert.Null(await scheduler.NextAsync());
        Assert.Equal(5, scheduler.Sent);
    }

    [Fact]
    public async Task OpenLoop_SlotsStillUnsentAfterTheGracePeriod_AreCountedAsNotSent()
    {
        // 100/s for 1 s, started 2 s ago, no grace: the whole backlog is past saving.
        var start = Clock.Now - Clock.FromSeconds(2);
        var scheduler = new Scheduler(start, count: null, TimeSpan.FromSeconds(1), ratePerSecond: 100, TimeSpan.Zero, () => false, default);
        Assert.Null(await scheduler.NextAsync());
        Assert.Equal(100, scheduler.NotSent(Clock.Now));
    }

    [Fact]
    public async Task ClosedLoop_EndsAtTheCount_OrWhenToldToStop()
    {
        var counted = new Scheduler(Clock.Now, count: 3, duration: null, ratePerSecond: null, TimeSpan.Zero, () => false, default);
        for (var i = 0; i < 3; i++) Assert.NotNull(await counted.NextAsync());
        Assert.Null(await counted.NextAsync());
        Assert.Equal(0, counted.NotSent(Clock.Now));

        var stop = false;
        var stopped = new Scheduler(Clock.Now, count: 100, duration: null, ratePerSecond: null, TimeSpan.Zero, () => stop, default);
        Assert.NotNull(await stopped.NextAsync());
        stop = true;
        Assert.Null(await stopped.NextAsync());
    }

    [Fact]
    public async Task ClosedLoop_EndsAtTheDeadline()
    {
        var expired = new Scheduler(Clock.Now - Clock.FromSeconds(1), count: null, TimeSpan.FromMilliseconds(500), ratePerSecond: null, TimeSpan.Zero, () => false, default);
        Assert.Null(await expired.NextAsync());
    }
}
