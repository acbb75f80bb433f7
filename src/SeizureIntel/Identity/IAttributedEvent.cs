namespace SeizureIntel.Identity;

/// <summary>An event that a person caused, at an instant, for a reason the history shows.</summary>
public interface IAttributedEvent
{
    Actor By { get; }
    DateTimeOffset At { get; }
}
