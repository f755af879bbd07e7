// Package dialog holds turn-taking: what the handlers of one conversation
// tell each other about who speaks next. The [parley.Bot] runs turns;
// dialog is the state and vocabulary they share within and across turns.
//
//   - The open [Question]: a flow's ask, a choice, a confirmation, a
//     clarification, the feedback question, a rating and an offer of a
//     person are one concept, opened with [Ask] and read with
//     [OpenQuestion]. A conversation has at most one; a turn asks at most
//     one new question ([ErrQuestionOpen]), so offers are never stacked on
//     another question. The router (intent.Router) gives the next turn to
//     the question's owner first; a turn that is not an answer
//     ([ErrNotAnswer]) is routed normally and the question is dropped or
//     resumed by its [Policy]. [Pause] sets a form's question aside
//     while a question of another owner (an offer of a person) is asked,
//     and [Unpause] opens it again.
//   - The [Outcome] of a turn ([Report], [TurnOutcome]): served, not
//     understood, unresolved, resolved or handed off. Escalation reads
//     typed outcomes rather than intercepting events or replies.
//   - Global commands ([Command]: cancel, menu, human, stop), recognised by
//     intent.Commands and carried under [CommandKey], that mean the same
//     thing in every state of the conversation.
//   - Hand-off requests: a handler asks for a person through a
//     [HandOffer] (the escalation package implements it) with a
//     [HandoffRequest]; the [SignalAgentMessage] and
//     [SignalHandoffResolved] turns carry the rest of the hand-off.
//
// The state lives in the turn's session ([parley.Turn.Session]), so every
// function here needs a turn run by a Bot or given a session with
// [parley.Turn.WithSession] (parleytest.NewTurn does); without one, [Ask]
// and [Report] return [ErrNoSession].
package dialog
